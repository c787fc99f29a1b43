"""The triage rules, without an app or a database."""

from datetime import date

import pytest

from evac import triage
from evac.triage import ClinicalFacts


def facts(**kw) -> ClinicalFacts:
    base = dict(requested_care="clinical", urgency="urgent", mobility="seated",
                source="eu_medevac", sending_country="UA", age_years=40, mdro_status="negative",
                isolation_required=False)  # fmt: skip
    base.update(kw)
    return ClinicalFacts(**base)


def test_ventilated_adults_need_intensive_care_lying_down():
    t = triage.suggest(facts(ventilated=True))
    assert (t.bed_category, t.rule_for("bed_category")) == ("ic", "ventilated_adult")
    assert (t.mobility, t.rule_for("mobility")) == ("stretcher", "needs_stretcher")


def test_children():
    assert triage.suggest(facts(age_years=17)).bed_category == "paediatric"
    assert triage.suggest(facts(age_years=17, ventilated=True)).bed_category == "picu"
    assert triage.suggest(facts(age_years=6, requested_care="ic")).bed_category == "picu"
    assert triage.suggest(facts(age_years=18)).bed_category == "clinical"
    # A child asked for oncology stays in oncology: the rule only moves adult ward requests.
    assert triage.suggest(facts(age_years=9, requested_care="oncology")).bed_category == "oncology"


@pytest.mark.parametrize("code,burns", [("T20.3", True), ("T31.2", True), ("t32", True),
                                        ("T33.1", False), ("T19", False), ("S72.0", False)])  # fmt: skip
def test_burns_are_icd10_t20_to_t32(code, burns):
    t = triage.suggest(facts(icd10=(code,)))
    assert (t.bed_category == "burns") is burns


def test_a_burned_child_goes_to_a_burn_centre():
    t = triage.suggest(facts(age_years=4, icd10=("T31.2",), ventilated=True))
    assert t.bed_category == "burns" and t.rule_for("bed_category") == "burns"


@pytest.mark.parametrize(
    "source,country,mdro,isolation",
    [("eu_medevac", "UA", "unknown", True), ("eu_medevac", "PL", "positive", True),
     ("eu_medevac", "UA", "negative", False), ("domestic", None, "unknown", False),
     ("domestic", "NL", "positive", False)],
)  # fmt: skip
def test_patients_from_foreign_hospitals_are_isolated_until_screened(
    source, country, mdro, isolation
):
    t = triage.suggest(facts(source=source, sending_country=country, mdro_status=mdro))
    assert t.isolation_required is isolation
    if isolation:
        assert t.rule_for("isolation_required") == "foreign_hospital_mdro"


def test_a_domestic_patient_with_known_mdro_keeps_the_senders_isolation():
    t = triage.suggest(facts(source="domestic", sending_country=None, mdro_status="positive",
                             isolation_required=True))  # fmt: skip
    assert t.isolation_required and t.rule_for("isolation_required") == "requested"


def test_interpreter_and_lodging():
    assert triage.suggest(facts(languages=("uk", "ru"))).interpreter_needed
    assert not triage.suggest(facts(languages=("uk", "en"))).interpreter_needed
    assert not triage.suggest(facts(languages=())).interpreter_needed  # unknown is not "needed"
    assert triage.suggest(facts(companions=1)).companions_need_lodging


def test_every_rule_has_words():
    t = triage.suggest(
        facts(ventilated=True, languages=("uk",), companions=2, mdro_status="unknown")
    )
    for s in t.suggestions.values():
        assert s.rule in triage.RULES


def test_age_on_a_day():
    assert triage.age_on(date(2008, 11, 26), None, date(2026, 11, 25)) == 17
    assert triage.age_on(date(2008, 11, 25), None, date(2026, 11, 25)) == 18
    assert triage.age_on(None, 7, date(2026, 11, 25)) == 7


def test_alerts_come_in_order_and_skip_no_known_allergies():
    codes = [a.code for a in triage.alerts(isolation_required=True, mdro_status="positive",
             allergies="Penicillin", ventilated=True, oxygen_l_min=None)]  # fmt: skip
    assert codes == ["isolation", "mdro", "allergy", "ventilated"]
    quiet = triage.alerts(isolation_required=False, mdro_status="negative", allergies="None known",
                          ventilated=False, oxygen_l_min=2)  # fmt: skip
    assert [a.code for a in quiet] == ["oxygen"]


@pytest.mark.parametrize(
    ("infections", "ventilated", "kind"),
    [
        (("tuberculosis",), False, "airborne"),
        (("Measles",), False, "airborne"),
        (("туберкульоз легень",), False, "airborne"),
        (("COVID-19",), True, "airborne"),  # aerosol-generating care
        (("COVID-19",), False, "none"),
        (("hepatitis B",), False, "none"),
    ],
)
def test_infections_spread_through_the_air_ask_for_a_negative_pressure_room(
    infections, ventilated, kind
):
    t = triage.suggest(facts(infections=infections, ventilated=ventilated))
    assert t.isolation_kind == kind
    assert t.isolation_required is (kind == "airborne")
    if kind == "airborne":
        assert t.rule_for("isolation_required") == "airborne_infection"


def test_a_sender_who_names_a_kind_of_isolation_asks_for_isolation():
    t = triage.suggest(facts(isolation_required=None, isolation_type="droplet"))
    assert (t.isolation_required, t.isolation_kind) == (True, "droplet")
    # Isolation until screened (a foreign hospital, MDRO unknown) is by contact.
    t = triage.suggest(facts(isolation_required=None, mdro_status="unknown"))
    assert (t.isolation_required, t.isolation_kind) == (True, "contact")


def test_the_aircraft_place():
    assert triage.suggest(facts(tracheostomy=True)).place_type == "ic_stretcher"
    assert triage.suggest(facts(ventilated=True, place_type="seat")).place_type == "ic_stretcher"
    assert triage.suggest(facts(requested_care="ic")).place_type == "ic_stretcher"
    assert triage.suggest(facts(mobility="stretcher")).place_type == "stretcher"
    assert triage.suggest(facts(place_type="stretcher")).place_type == "stretcher"
    assert triage.suggest(facts()).place_type == "seat"


def test_resuscitation_policy_and_pregnancy_are_alerts_and_unknown_is_not_dnr():
    codes = [a.code for a in triage.alerts(isolation_required=False, mdro_status="negative",
             allergies=None, ventilated=False, oxygen_l_min=None, code_status="dnr",
             pregnancy_weeks=30)]  # fmt: skip
    assert codes == ["code_status", "pregnancy"]
    assert triage.alerts(isolation_required=False, mdro_status="negative", allergies=None,
                         ventilated=False, oxygen_l_min=None, code_status="unknown") == []  # fmt: skip
