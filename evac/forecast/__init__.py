"""Occupancy forecasts per region and bed category (../shared/specs/forecast.md): reading a
history, forecasting each series with honest intervals, writing the forecast."""

from evac.forecast.history import HistoryError, Series, parse_history
from evac.forecast.model import Forecast, forecast_series

__all__ = ["Forecast", "HistoryError", "Series", "forecast_series", "parse_history"]
