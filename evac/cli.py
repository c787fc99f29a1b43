"""flask commands: demo, seed-demo, users and API tokens, import-requests, scheduled jobs."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from evac.services import intake as intake_service
from evac.services import users as user_service
from evac.services.errors import DomainError, InvalidInput
from evac.terms import ImportChannel, Role


def init_app(app: Flask) -> None:
    for command in (
        demo,
        seed_demo,
        create_user,
        create_api_token,
        list_api_tokens,
        revoke_api_token,
        reset_two_factor,
        import_requests,
        expire_offers,
        send_mail,
        render_document,
        render_documents,
        sitrep,
    ):
        app.cli.add_command(command)


def _upgrade_database() -> None:
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--hospital", "hospital_code", help="Hospital code (for role hospital).")
@click.option("--region", "region_code", help="Region code (for role regional), e.g. NW.")
@click.option("--password", help="Generated and printed when left out.")
@click.option("--name", help="Full name shown in the audit trail.")
@with_appcontext
def create_user(email, role, hospital_code, region_code, password, name):
    """Create a user."""
    try:
        user, password = user_service.create_user(
            email,
            role,
            name=name,
            password=password,
            hospital_code=hospital_code,
            region_code=region_code,
        )
    except InvalidInput as exc:
        for problem in exc.problems:
            click.echo(f"{problem.field}: {problem.message}", err=True)
        sys.exit(1)
    click.echo(f"created {user.email} ({user.role}) password: {password}")


@click.command("create-api-token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for.")
@click.option(
    "--days",
    type=int,
    default=None,
    help="How long it is valid (default EVAC_API_TOKEN_DAYS, 90; 0 for no end).",
)
@with_appcontext
def create_api_token(email, label, days):
    """Print a new API token for a user (its last line is the token)."""
    try:
        token = user_service.create_api_token(email, label, days=days)
    except InvalidInput as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    click.echo(f"API token for {email} (shown once; store it safely):")
    click.echo(token)


@click.command("list-api-tokens")
@click.option("--email", help="Only this user's tokens.")
@with_appcontext
def list_api_tokens(email):
    """List API tokens: id, user, state, end, last use, label."""
    for t in user_service.list_api_tokens(email):
        ends = t.expires_at.isoformat(timespec="minutes") if t.expires_at else "never"
        used = t.last_used_at.isoformat(timespec="minutes") if t.last_used_at else "never"
        click.echo(f"{t.id}\t{t.user.email}\t{t.state()}\tends {ends}\tused {used}\t{t.label}")


@click.command("revoke-api-token")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_api_token(token_id):
    """Revoke an API token by its id (see list-api-tokens); it gets 401 from then on."""
    try:
        token = user_service.revoke_api_token(token_id)
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    click.echo(f"revoked token {token.id} of {token.user.email}")


@click.command("reset-two-factor")
@click.argument("email")
@with_appcontext
def reset_two_factor(email):
    """Switch a user's two-factor sign-in off (a lost phone, the last admin locked out)."""
    from sqlalchemy import select

    from evac.extensions import db
    from evac.models import User
    from evac.services import signin

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        click.echo(f"no user {email}", err=True)
        sys.exit(1)
    signin.disable_two_factor(None, user)
    click.echo(f"two-factor sign-in of {user.email} is off; they set it up again at next sign-in")


@click.command("import-requests")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_requests(file: Path):
    """Register the evacuation requests in a CSV or JSON file (all or nothing)."""
    try:
        result = intake_service.register_requests(
            None, ImportChannel.FILE, file.read_bytes(), filename=file.name
        )
    except intake_service.IntakeRejected as exc:
        click.echo(
            f"rejected {file.name}: {len(exc.problems)} problems, nothing imported", err=True
        )
        for p in exc.problems:
            where = f"row {p.row}" if p.row is not None else "file"
            click.echo(f"  {where}, {p.field or '-'}: {p.message}", err=True)
        sys.exit(1)
    click.echo(f"imported {len(result.created_ids)}, duplicates {len(result.duplicates)}")


@click.command("expire-offers")
@with_appcontext
def expire_offers():
    """Let pending offers past their deadline expire (run it from cron, e.g. every minute)."""
    from evac.services import offers

    n = offers.expire_overdue()
    click.echo(f"expired {n}")


@click.command("send-mail")
@with_appcontext
def send_mail():
    """Send the e-mails waiting in the outbox, retrying failed ones (run it from cron)."""
    from evac.services import notify

    sent, failed = notify.send_pending(limit=500)
    click.echo(f"sent {sent}, failed {failed}")
    if failed:
        sys.exit(1)


@click.command("render-document")
@click.argument("reference")
@click.option("--lang", default="uk,nl,en", show_default=True, help="One to three of uk, nl, en.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def render_document(reference: str, lang: str, out: Path):
    """Write the current transfer document of a case to a PDF file."""
    from evac.services import documents

    try:
        doc = documents.transfer_document(None, reference, documents.languages_from(lang))
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    out.write_bytes(doc.pdf)
    click.echo(f"{out} version {doc.version} sha256 {doc.sha256}")


@click.command("render-documents")
@with_appcontext
def render_documents():
    """Render the transfer documents of upcoming flights that are not current (run from cron)."""
    from evac.services import documents, jobs

    with jobs.only_one("render-documents") as mine:
        if not mine:
            click.echo("another host is rendering; nothing done")
            return
        click.echo(f"rendered {documents.prepare_flights()}")


@click.command("sitrep")
@click.option("--date", "day", default=None, help="The day, YYYY-MM-DD (default today).")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the PDF here.",
)
@click.option("--mail", is_flag=True, help="Send it to EVAC_SITREP_RECIPIENTS (via the outbox).")
@with_appcontext
def sitrep(day, lang, out, mail):
    """The daily situation report as a PDF, to a file and/or to the distribution list (cron)."""
    from datetime import date as date_type

    from evac.services import situation

    try:
        when = date_type.fromisoformat(day) if day else None
    except ValueError:
        click.echo("--date: expected YYYY-MM-DD", err=True)
        sys.exit(2)
    if out is None and not mail:
        click.echo("give --out FILE.pdf, --mail, or both", err=True)
        sys.exit(2)
    if out is not None:
        report = situation.situation(when)
        out.write_bytes(situation.render_pdf(report, lang))
        click.echo(f"{out} ({report.day.isoformat()}, {lang})")
    if mail:
        from evac.services import jobs

        with jobs.only_one("sitrep-mail") as mine:
            if not mine:
                click.echo("another host is mailing the report; nothing done")
                return
            n = situation.mail_report(when, lang)
        if n:
            click.echo(f"queued for {n} recipients")
        elif current_app.config["EVAC_SITREP_RECIPIENTS"]:
            click.echo("this day's report in this language was queued before; not again")
        else:
            click.echo("EVAC_SITREP_RECIPIENTS is empty")


def _seed(quiet: bool = False) -> None:
    from evac import demo as demo_data

    _upgrade_database()
    logins = demo_data.seed()
    if not quiet:
        click.echo("Demo users (e-mail / password):")
        for email, role, password in logins:
            click.echo(f"  {role:<12} {email:<34} {password}")


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Upgrade the database and load the demo data (safe to run twice)."""
    _seed()


@click.command("demo")
@click.option("--port", default=5000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@with_appcontext
def demo(port: int, host: str):
    """Upgrade the database, load the demo data and serve the app."""
    from werkzeug.serving import run_simple

    _seed()
    click.echo(f"evac runs at http://{host}:{port}/  (Ctrl+C stops it)")
    # Not app.run(): inside a `flask` command Flask 3 ignores it and returns at once, and the
    # demo would print its address with nothing listening. Werkzeug's server serves for real.
    run_simple(host, port, current_app._get_current_object(), threaded=True)
