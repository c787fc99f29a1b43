"""The models and the migrations describe one schema: `flask db check` (the project's own
migration environment, with its rules) finds nothing to add or remove on a migrated database."""

from flask_migrate import check


def test_the_migrated_schema_is_the_models_schema(app):
    with app.app_context():
        # On differences it logs them and exits with status 1.
        check(directory=app.extensions["migrate"].directory)
