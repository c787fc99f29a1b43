"""Scenario projections: arrivals fill the regions the placement engine chooses and leave after
their stay, lost beds bring a region over its thresholds sooner, domestic requests leave their
own region, transport is counted."""

from datetime import date

from evac.forecast.scenario import Arrivals, BedLoss, Domestic, Region, Scenario, project

TODAY = date(2026, 12, 1)


def regions(days=10):
    return [
        Region("NW", 52.37, 4.9, {"ic": 100}, {"ic": [80.0] * days}, micu=0, ambulances=0),
        Region("NN", 53.2, 6.5, {"ic": 100}, {"ic": [60.0] * days}, micu=0, ambulances=0),
    ]


def test_nothing_happening_is_the_forecast():
    p = project(regions(), Scenario(days=5, spread=False), TODAY)
    assert p.occupied[("NW", "ic")] == [80.0] * 5 and p.crossings[("NW", "ic")][0.9] is None
    assert p.days[0] == date(2026, 12, 2) and p.rides[0] == {"ambulance": 0, "micu": 0}


def test_arrivals_are_placed_counted_and_leave_after_their_stay():
    s = Scenario(days=8, stay=3, spread=False, arrivals=[Arrivals("ic", per_day=10, days=2)])
    p = project(regions(), s, TODAY)
    total = [p.occupied[("NW", "ic")][d] + p.occupied[("NN", "ic")][d] for d in range(8)]
    assert total[0] == 150 and total[1] == 160  # ten a day on top of 140
    assert total[6] == 140  # gone after their stay
    assert p.rides[0]["micu"] == 10 and sum(p.unplaced) == 0


def test_the_calmer_region_takes_more_when_distance_is_equal():
    near = [Region("NW", 52.0, 5.0, {"ic": 100}, {"ic": [80.0] * 3}),
            Region("NN", 52.0, 5.0, {"ic": 100}, {"ic": [60.0] * 3})]  # fmt: skip
    p = project(near, Scenario(days=2, spread=False, arrivals=[Arrivals("ic", 20, 1)]), TODAY)
    assert p.occupied[("NN", "ic")][0] - 60 > p.occupied[("NW", "ic")][0] - 80


def test_lost_beds_bring_the_crossing_forward():
    s = Scenario(days=6, spread=False, losses=[BedLoss("NW", "ic", beds=20, start=3)])
    p = project(regions(6), s, TODAY)
    assert p.capacity[("NW", "ic")][:3] == [100, 100, 80]
    assert p.crossings[("NW", "ic")] == {0.9: 2, 0.95: 2, 1.0: 2}
    assert p.crossings[("NN", "ic")] == {0.9: None, 0.95: None, 1.0: None}


def test_domestic_requests_are_placed_outside_their_own_region():
    s = Scenario(days=3, spread=False, domestic=[Domestic("NN", "ic", per_day=5, days=1)])
    p = project(regions(3), s, TODAY)
    assert p.occupied[("NW", "ic")][0] == 85 and p.occupied[("NN", "ic")][0] == 60
