"""Intake pages: upload a file of requests, or enter one request by hand."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from evac.interop import requests as request_format
from evac.services import intake as intake_service
from evac.terms import (
    NO,
    YES,
    BedCategory,
    CodeStatus,
    ImportChannel,
    IsolationKind,
    MdroStatus,
    Mobility,
    PatientType,
    PlaceType,
    ReceivedDocument,
    Sex,
    Urgency,
    choices,
    label,
)
from evac.web.access import COORDINATING, roles_required

bp = Blueprint("intake", __name__, url_prefix="/intake")


class UploadForm(FlaskForm):
    file = FileField(_l("File of requests (.csv or .json)"), validators=[FileRequired()])


def _choices(enum):
    return lambda: choices(enum)


def _optional_choices(enum):
    """A choice the sender may leave open: the first option says "unknown" (and is the only
    one that does, where the terms have an "unknown" of their own)."""
    return lambda: [("", _("unknown")), *((v, t) for v, t in choices(enum) if v != "unknown")]


def _yes_no_unknown():
    # Not a checkbox: an unticked box would say "no" where nobody said anything.
    return [("", _("unknown")), ("yes", str(YES)), ("no", str(NO))]


def _with_local_zone(value: str) -> str:
    """A time typed on the form (no zone) is the coordinator's local time, not UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # the importer says what is wrong with it
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return moment.isoformat()


def _boolean(text):
    return SelectField(text, choices=_yes_no_unknown, default="")


class RequestForm(FlaskForm):
    """One request by hand; the same fields as the exchange format, checked by the same code."""

    external_ref = StringField(
        _l("Sender's reference"), validators=[DataRequired(), Length(max=100)]
    )
    source = SelectField(
        _l("Source"), choices=lambda: [(s.value, label(s)) for s in request_format.INTAKE_SOURCES]
    )
    requested_at = DateField(_l("Requested on"), validators=[DataRequired()])
    sending_country = StringField(
        _l("Sending country (ISO code)"), validators=[Optional(), Length(max=2)], default="UA"
    )
    sending_facility = StringField(_l("Sending facility"), validators=[Optional(), Length(max=200)])
    sending_hospital = StringField(
        _l("Sending Dutch hospital (code, domestic only)"), validators=[Optional(), Length(max=16)]
    )
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=200)])
    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=200)])
    family_name_latin = StringField(
        _l("Family name (Latin script)"), validators=[Optional(), Length(max=200)]
    )
    given_name_latin = StringField(
        _l("Given name (Latin script)"), validators=[Optional(), Length(max=200)]
    )
    date_of_birth = DateField(_l("Date of birth"), validators=[Optional()])
    age_years = IntegerField(
        _l("Age (if no date of birth)"), validators=[Optional(), NumberRange(0, 120)]
    )
    sex = SelectField(_l("Sex"), choices=_choices(Sex))
    languages = StringField(_l("Languages (codes, separated by ;)"), default="uk")
    diagnosis = TextAreaField(_l("Diagnosis"), validators=[DataRequired()])
    icd10 = StringField(_l("ICD-10 codes (separated by ;)"))
    war_related = _boolean(_l("War-related trauma"))
    requested_care = SelectField(_l("Requested care"), choices=_choices(BedCategory))
    urgency = SelectField(_l("Urgency"), choices=_choices(Urgency))
    mobility = SelectField(_l("Mobility"), choices=_choices(Mobility))
    ventilated = _boolean(_l("Ventilated"))
    oxygen_l_min = DecimalField(_l("Oxygen (l/min)"), validators=[Optional(), NumberRange(0, 60)])
    mdro_status = SelectField(_l("MDRO status"), choices=_choices(MdroStatus), default="unknown")
    isolation_required = _boolean(_l("Isolation required"))
    weight_kg = DecimalField(_l("Weight (kg)"), validators=[Optional(), NumberRange(0.3, 400)])
    allergies = TextAreaField(_l("Allergies"))
    medication = TextAreaField(_l("Medication"))
    companion_count = IntegerField(
        _l("Companions (number)"), validators=[Optional(), NumberRange(0, 10)], default=0
    )
    companion_notes = StringField(_l("Companions (who)"))
    fit_to_fly = _boolean(_l("Fit to fly"))
    contact_name = StringField(_l("Referring physician"))
    contact_phone = StringField(_l("Phone"))
    contact_email = StringField(_l("E-mail"))
    notes = TextAreaField(_l("Notes"))
    # Intake version 2: clinical and logistic fields, all optional (CSV conventions).
    patient_type = SelectField(
        _l("Patient type"), choices=_optional_choices(PatientType), default=""
    )
    region_of_origin = StringField(_l("Region of origin (oblast)"))
    family_in_nl = StringField(_l("Family in the Netherlands (town)"))
    place_type = SelectField(_l("Place on board"), choices=_optional_choices(PlaceType), default="")
    tracheostomy = _boolean(_l("Tracheostomy"))
    devices = StringField(_l("Lines, drains, catheters (separated by ;)"))
    vs_recorded_at = StringField(
        _l("Vital signs measured at"), render_kw={"type": "datetime-local"}
    )
    gcs = StringField(_l("GCS (3-15)"), render_kw={"inputmode": "numeric"})
    heart_rate = StringField(_l("Heart rate (/min)"), render_kw={"inputmode": "numeric"})
    bp = StringField(_l("Blood pressure (120/80)"))
    resp_rate = StringField(_l("Respiratory rate (/min)"), render_kw={"inputmode": "numeric"})
    spo2 = StringField(_l("SpO2 (%)"), render_kw={"inputmode": "numeric"})
    temperature_c = StringField(_l("Temperature (°C)"), render_kw={"inputmode": "decimal"})
    vent_mode = StringField(_l("Ventilator mode"))
    fio2 = StringField(_l("FiO2 (0.21-1.0)"), render_kw={"inputmode": "decimal"})
    peep_cmh2o = StringField(_l("PEEP (cmH2O)"), render_kw={"inputmode": "decimal"})
    mdro_organisms = StringField(_l("Resistant organisms (separated by ;)"))
    mdro_screened_at = DateField(_l("Last MDRO screening"), validators=[Optional()])
    infections = StringField(_l("Transmissible infections (separated by ;)"))
    isolation_type = SelectField(
        _l("Kind of isolation"), choices=_optional_choices(IsolationKind), default=""
    )
    code_status = SelectField(
        _l("Resuscitation policy"), choices=_optional_choices(CodeStatus), default=""
    )
    pregnancy_weeks = IntegerField(
        _l("Pregnancy (weeks)"), validators=[Optional(), NumberRange(1, 45)]
    )
    # Boxes to tick, not a list to ctrl-click through; none ticked is "not said" (unknown).
    documents_received = SelectMultipleField(
        _l("Documents received"),
        choices=_choices(ReceivedDocument),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def as_request(self) -> dict:
        """The form as a request of the exchange format (CSV conventions for lists)."""
        data = {}
        for name, form_field in self._fields.items():
            if name == "csrf_token":
                continue
            value = form_field.data
            if name == "documents_received" and not value:
                value = None  # nothing ticked: the sender did not say (unknown)
            elif name == "vs_recorded_at" and value:
                value = _with_local_zone(value)
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            elif value is not None and not isinstance(value, bool | str | int | list):
                value = str(value)
            data[name] = value
        return data


@bp.route("/upload", methods=["GET", "POST"])
@roles_required(*COORDINATING)
def upload():
    form = UploadForm()
    rejected = None
    status = 200
    if form.validate_on_submit():
        storage = form.file.data
        raw = storage.read()
        try:
            result = intake_service.register_requests(
                current_user,
                ImportChannel.UPLOAD,
                raw,
                filename=storage.filename,
                content_type=storage.mimetype,
            )
        except intake_service.IntakeRejected as exc:
            rejected = exc
            status = 422
        else:
            flash(
                _(
                    "Imported %(n)d requests; %(m)d were already registered.",
                    n=len(result.created_ids),
                    m=len(result.duplicates),
                ),
                "success",
            )
            return redirect(url_for("intake.record", record_id=result.record.id))
    return (
        render_template(
            "intake/upload.html",
            form=form,
            rejected=rejected,
            row_labels=rejected.row_labels if rejected else {},
        ),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*COORDINATING)
def new_request():
    form = RequestForm()
    problems = []
    status = 200
    if form.validate_on_submit():
        payload = form.as_request()
        raw = json.dumps(payload, ensure_ascii=False).encode()
        try:
            result = intake_service.register_form_request(current_user, payload, raw)
        except intake_service.IntakeRejected as exc:
            problems = exc.problems
            status = 422
        else:
            if result.created:
                case = result.created[0]
                flash(_("Registered as %(reference)s.", reference=case.reference), "success")
            else:
                case = result.duplicates[0]
                flash(
                    _(
                        "This request was registered before as %(reference)s.",
                        reference=case.reference,
                    ),
                    "info",
                )
            return redirect(url_for("cases.detail", reference=case.reference))
    elif form.is_submitted():
        status = 422
    return render_template("intake/new.html", form=form, problems=problems), status


@bp.get("/imports")
@roles_required(*COORDINATING)
def records():
    return render_template("intake/records.html", records=intake_service.recent_records())


@bp.get("/imports/<int:record_id>")
@roles_required(*COORDINATING)
def record(record_id: int):
    record, cases = intake_service.get_record(record_id)
    return render_template(
        "intake/record.html",
        record=record,
        cases=cases,
        warnings=intake_service.record_warnings(cases),
    )
