"""Capacity reports, the regional overview, the CSV import and export, transport crews."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from evac.extensions import db
from evac.models import CapacityFigure, CapacityReport, Hospital, HospitalBeds, Region, User
from evac.models.types import utcnow
from evac.services import capacity
from evac.services.capacity import Figures
from evac.services.errors import Forbidden, InvalidInput


def actor(u) -> User:
    return db.session.get(User, u.id)


def region(regions, code):
    return next(r for r in regions if r.region.code == code)


def hospital(rc, code):
    return next(h for h in rc.hospitals if h.hospital.code == code)


def test_a_report_becomes_the_current_figures_and_is_kept(ctx, make):
    umcg = actor(make.user("hospital", "UMCG"))
    capacity.report_capacity(
        umcg, "UMCG", Figures({"ic": (40, 30), "clinical": (800, 700)}, 2), "portal"
    )
    capacity.report_capacity(umcg, "umcg", Figures({"ic": (40, 36)}), "portal")
    beds = {b.category: b for b in db.session.scalars(select(HospitalBeds))}
    assert (beds["ic"].capacity, beds["ic"].occupied, beds["ic"].free) == (40, 36, 4)
    assert beds["clinical"].occupied == 700  # not in the second report: unchanged
    assert beds["isolation"].capacity == 2
    assert db.session.scalar(select(func.count()).select_from(CapacityReport)) == 2


def test_a_hospital_may_report_only_for_itself(ctx, make):
    umcg = actor(make.user("hospital", "UMCG"))
    with pytest.raises(Forbidden):
        capacity.report_capacity(umcg, "MST2", Figures({"ic": (10, 5)}), "portal")
    with pytest.raises(Forbidden):
        capacity.report_capacity(
            actor(make.user("viewer")), "UMCG", Figures({"ic": (10, 5)}), "portal"
        )
    capacity.report_capacity(
        actor(make.user("coordinator")), "MST2", Figures({"ic": (10, 5)}), "phone"
    )
    assert db.session.scalar(select(func.count()).select_from(CapacityReport)) == 1


@pytest.mark.parametrize(
    "figures,field",
    [(Figures({"ic": (-1, 0)}), "ic.capacity"), (Figures({"ic": (10, "x")}), "ic.occupied"),
     (Figures({"beds": (10, 5)}), "category"), (Figures({}), "categories"),
     (Figures({"ic": (10, 5)}, -2), "isolation_free")],
)  # fmt: skip
def test_bad_figures_are_refused(ctx, make, figures, field):
    with pytest.raises(InvalidInput) as err:
        capacity.report_capacity(actor(make.user()), "UMCG", figures, "portal")
    assert field in [p.field for p in err.value.problems]


def test_an_older_report_does_not_overwrite_newer_figures(ctx, make):
    c = actor(make.user())
    capacity.report_capacity(c, "UMCG", Figures({"ic": (40, 30)}), "portal")
    capacity.report_capacity(
        c, "UMCG", Figures({"ic": (40, 10)}), "upload", utcnow() - timedelta(days=1)
    )
    assert (
        db.session.scalar(select(HospitalBeds.occupied).where(HospitalBeds.category == "ic")) == 30
    )


def test_the_overview_sums_regions_flags_stale_reports_and_puts_the_busiest_first(ctx, make):
    c = actor(make.user())
    capacity.report_capacity(c, "UMCG", Figures({"ic": (40, 38)}, 1), "portal")
    capacity.report_capacity(c, "MCL", Figures({"ic": (10, 2)}, 2), "portal",
                             reported_at=utcnow() - timedelta(hours=30))  # fmt: skip
    capacity.report_capacity(c, "UMCU", Figures({"ic": (40, 20)}), "portal")
    regions = capacity.current_capacity()
    nn = region(regions, "NN")
    assert (nn.beds["ic"].capacity, nn.beds["ic"].occupied, nn.isolation_free) == (50, 40, 3)
    assert nn.beds["ic"].fraction == pytest.approx(0.8)
    assert regions[0].region.code == "NN"  # 80% beats MN's 50%
    assert hospital(nn, "MCL").stale and not hospital(nn, "UMCG").stale
    assert hospital(nn, "ANT").stale  # never reported


def test_reserved_beds_count_as_taken(ctx, make):
    c = actor(make.user())
    capacity.report_capacity(c, "UMCG", Figures({"ic": (10, 7)}), "portal")
    beds = db.session.scalar(select(HospitalBeds).where(HospitalBeds.category == "ic"))
    beds.reserved = 2
    db.session.commit()
    nn = region(capacity.current_capacity(), "NN")
    assert nn.beds["ic"].free == 1 and nn.beds["ic"].fraction == pytest.approx(0.9)


def day_of(moment: datetime) -> date:
    """The centre's day a moment falls on: the days of the capacity history (EVAC_TIMEZONE)."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def test_daily_occupancy_uses_each_hospitals_last_report_of_the_day(ctx, make):
    c = actor(make.user())
    now = utcnow()
    capacity.report_capacity(
        c, "UMCG", Figures({"ic": (40, 20)}), "portal", now - timedelta(days=2)
    )
    capacity.report_capacity(c, "MCL", Figures({"ic": (10, 5)}), "portal", now - timedelta(days=2))
    capacity.report_capacity(c, "UMCG", Figures({"ic": (40, 40)}), "portal", now)
    daily = capacity.daily_occupancy(days=3)
    today, two_days_ago = day_of(now), day_of(now - timedelta(days=2))
    assert daily[(two_days_ago, "NN", "ic")].occupied == 25
    assert daily[(today, "NN", "ic")].occupied == 45  # MCL's last report carries forward
    csv = capacity.occupancy_csv(days=3)
    assert csv.splitlines()[0] == "date,region,category,capacity,occupied,free,occupancy"
    assert f"{today.isoformat()},NN,ic,50,45,5,0.900" in csv
    trend = region(capacity.with_trends(capacity.current_capacity(), days=3), "NN").trend
    assert [round(f, 2) for _d, f in trend] == [0.5, 0.5, 0.9]


def test_csv_import_is_all_or_nothing(ctx, make):
    c = actor(make.user())
    good = (
        "\ufeffhospital,category,capacity,occupied,isolation_free\n"
        "UMCG,ic,40,30,2\nUMCG,clinical,800,600,\nmst2,burns,15,12,1\n"
    ).encode()
    reports = capacity.import_capacity_csv(c, good)
    assert sorted(r.hospital.code for r in reports) == ["MST2", "UMCG"]
    assert (
        db.session.scalar(select(HospitalBeds.capacity).where(HospitalBeds.category == "burns"))
        == 15
    )
    bad = b"hospital,category,capacity,occupied\nUMCG,ic,41,31\nNOPE,ic,1,1\nMCL,ic,x,1\nMCL,beds,1,1\n"
    with pytest.raises(InvalidInput) as err:
        capacity.import_capacity_csv(c, bad)
    assert [(p.row, p.field) for p in err.value.problems] == [
        (3, "hospital"),
        (4, "capacity"),
        (5, "category"),
    ]
    assert "NOPE" in err.value.problems[0].message
    assert (
        db.session.scalar(select(HospitalBeds.capacity).where(HospitalBeds.category == "ic")) == 40
    )
    with pytest.raises(InvalidInput):
        capacity.import_capacity_csv(c, b"code,beds\nUMCG,1\n")
    with pytest.raises(Forbidden):
        capacity.import_capacity_csv(actor(make.user("hospital")), good)


def test_transport_crews_per_region(ctx, make):
    c = actor(make.user())
    capacity.report_transport(c, "ZWN", 6, 1)
    capacity.report_transport(c, "ZWN", 4, 2)
    zwn = region(capacity.current_capacity(), "ZWN")
    assert (zwn.ambulances, zwn.micu) == (4, 2)
    with pytest.raises(InvalidInput):
        capacity.report_transport(c, "ZWN", -1, 0)
    with pytest.raises(Forbidden):
        capacity.report_transport(actor(make.user("hospital")), "ZWN", 1, 1)


def test_negative_pressure_rooms_are_reported_beside_isolation_rooms(ctx, make):
    c = actor(make.user())
    csv_file = (
        b"hospital,category,capacity,occupied,isolation_free,airborne_free\n"
        b"UMCG,ic,40,30,2,1\nUMCG,clinical,800,600,,\nMST2,ic,20,10,3,x\n"
    )
    with pytest.raises(InvalidInput) as err:
        capacity.import_capacity_csv(c, csv_file)
    assert [(p.row, p.field) for p in err.value.problems] == [(4, "airborne_free")]
    capacity.import_capacity_csv(c, csv_file.replace(b",3,x", b",3,0"))
    capacity.report_capacity(c, "MCL", Figures({}, None, 2), "phone")
    north = region(capacity.current_capacity(), "NN")
    by_code = {hc.hospital.code: hc for hc in north.hospitals}
    assert (by_code["UMCG"].isolation_free, by_code["UMCG"].airborne_free) == (2, 1)
    assert north.airborne_free == sum(hc.airborne_free for hc in north.hospitals) >= 1
    with pytest.raises(InvalidInput):
        capacity.report_capacity(c, "UMCG", Figures({}, None, 501), "phone")


# The history is drawn once per process and carried forward with each report about today. What
# it shows must be what drawing it anew shows, whatever arrives in between.


def _report(c, code, ic, at, category="ic"):
    return capacity.report_capacity(c, code, Figures({category: ic}), "portal", at)


def _anew(days=3):
    capacity.forget_history()
    return capacity.daily_occupancy(days=days)


def _occupied(daily, day, region="NN", category="ic"):
    beds = daily.get((day, region, category))
    return None if beds is None else beds.occupied


def test_a_report_about_today_is_carried_into_the_history_without_reading_it_again(
    ctx, make, monkeypatch
):
    c = actor(make.user())
    now = utcnow()
    today, yesterday = day_of(now), day_of(now - timedelta(days=1))
    _report(c, "UMCG", (40, 20), now - timedelta(days=1))
    _report(c, "MCL", (10, 5), now - timedelta(days=1))
    assert _occupied(capacity.daily_occupancy(days=3), today) == 25

    def read_again(*args):
        raise AssertionError("the history was read again for a report about today")

    monkeypatch.setattr(capacity, "_drawn_anew", read_again)
    midnight = datetime.combine(today, time.min, tzinfo=UTC)
    _report(c, "UMCG", (40, 30), max(midnight, now - timedelta(minutes=5)))
    _report(c, "MCL", (10, 8), now)
    _report(c, "UMCG", (40, 33), max(midnight, now - timedelta(minutes=1)))  # about earlier today
    _report(c, "AMC", (30, 3), now)  # another region
    carried = capacity.daily_occupancy(days=3)
    assert _occupied(carried, today) == 33 + 8
    assert _occupied(carried, yesterday) == 25
    amc = db.session.scalar(select(Hospital).where(Hospital.code == "AMC")).region.code
    assert _occupied(carried, today, amc) == 3
    monkeypatch.undo()
    assert carried == _anew()


def test_a_late_report_about_an_earlier_day_shows_on_that_day(ctx, make):
    c = actor(make.user())
    now = utcnow()
    today, yesterday = day_of(now), day_of(now - timedelta(days=1))
    _report(c, "UMCG", (40, 20), now - timedelta(days=2))
    assert _occupied(capacity.daily_occupancy(days=3), yesterday) == 20
    _report(c, "UMCG", (40, 35), now - timedelta(days=1))  # a late CSV, say
    daily = capacity.daily_occupancy(days=3)
    assert _occupied(daily, yesterday) == 35 and _occupied(daily, today) == 35
    assert daily == _anew()


def test_a_report_committed_after_one_with_a_higher_id_is_not_missed(ctx, make):
    """A long import takes its ids first and commits last: the page saw a higher id already."""
    c = actor(make.user())
    now = utcnow()
    first = _report(c, "UMCG", (40, 20), now - timedelta(hours=2))
    mcl = db.session.scalar(select(Hospital.id).where(Hospital.code == "MCL"))

    def committed(id, at, occupied):
        report = CapacityReport(id=id, hospital_id=mcl, reported_at=at, channel="portal",
                                isolation_free=0)  # fmt: skip
        report.figures = [CapacityFigure(category="ic", capacity=10, occupied=occupied)]
        db.session.add(report)
        db.session.commit()

    committed(first.id + 10, now - timedelta(hours=1), 5)
    assert _occupied(capacity.daily_occupancy(days=3), day_of(now)) == 25
    committed(first.id + 5, now - timedelta(minutes=30), 9)  # the import's, later in the day
    daily = capacity.daily_occupancy(days=3)
    assert _occupied(daily, day_of(now)) == 29
    assert daily == _anew()


def test_a_hospital_moved_to_another_region_counts_there_on_every_day(ctx, make):
    c = actor(make.user())
    now = utcnow()
    _report(c, "MCL", (10, 5), now - timedelta(days=1))
    _report(c, "UMCG", (40, 20), now - timedelta(days=1))
    yesterday = day_of(now - timedelta(days=1))
    assert _occupied(capacity.daily_occupancy(days=3), yesterday) == 25
    mcl = db.session.scalar(select(Hospital).where(Hospital.code == "MCL"))
    mcl.region = db.session.scalar(select(Region).where(Region.code == "SZN"))
    db.session.commit()
    _report(c, "UMCG", (40, 21), now)
    daily = capacity.daily_occupancy(days=3)
    assert (_occupied(daily, yesterday), _occupied(daily, yesterday, "SZN")) == (20, 5)
    assert daily == _anew()


def test_a_report_about_a_later_day_waits_for_that_day(ctx, make):
    c = actor(make.user())
    now = utcnow()
    _report(c, "UMCG", (40, 20), now - timedelta(hours=1))
    assert _occupied(capacity.daily_occupancy(days=3), day_of(now)) == 20
    tomorrow = datetime.combine(day_of(now) + timedelta(days=1), time(8), tzinfo=UTC)
    _report(c, "UMCG", (40, 39), tomorrow)  # a planned closure entered ahead, say
    daily = capacity.daily_occupancy(days=3)
    assert _occupied(daily, day_of(now)) == 20
    assert daily == _anew()


def test_a_report_about_earlier_today_does_not_replace_a_newer_one(ctx, make):
    c = actor(make.user())
    now = utcnow()
    _report(c, "UMCG", (40, 33), now)
    assert _occupied(capacity.daily_occupancy(days=3), day_of(now)) == 33
    _report(c, "UMCG", (40, 10), now - timedelta(minutes=10))  # entered late
    daily = capacity.daily_occupancy(days=3)
    assert _occupied(daily, day_of(now)) == 33
    assert daily == _anew()
