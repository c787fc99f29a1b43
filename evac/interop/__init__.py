"""Importers and exporters for the formats partners send and expect."""
