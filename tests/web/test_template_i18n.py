"""Templates translate from the translations handed to each render, and cache the labels of
terms and percentages per locale: one language's words never leak into another's page."""

from evac.extensions import db


def test_labels_and_percentages_follow_each_request_s_language(app, as_user, make):
    from evac.models import User
    from evac.services import capacity

    client = as_user("coordinator")
    make.case(urgency="urgent")
    with app.test_request_context():
        actor = db.session.get(User, client.user.id)
        capacity.report_capacity(actor, "UMCG", capacity.Figures({"clinical": (80, 60)}, 2), "web")
        db.session.remove()
    words = {"en": ("Received", "Urgent (next flight)"), "nl": ("Ontvangen", "Urgent (volgende vlucht)"),
             "uk": ("Отримано", "Терміново (наступний рейс)")}  # fmt: skip
    # Twice round, so that the second pass is served from the caches the first one filled.
    for _round in range(2):
        for lang, (received, urgent) in words.items():
            html = client.get("/cases/", headers={"Accept-Language": lang}).get_data(as_text=True)
            assert received in html and urgent in html, lang
            others = [w for other, ws in words.items() if other != lang for w in ws[:1]]
            assert not any(f">{w}<" in html for w in others), lang
            page = client.get("/capacity/", headers={"Accept-Language": lang}).get_data(
                as_text=True
            )
            assert "75%" in page, lang
            assert ("Capaciteit" in page) == (lang == "nl") and ("Місткість" in page) == (
                lang == "uk"
            )


def test_terms_that_share_a_value_keep_their_own_words(app):
    from flask import render_template_string

    template = ("{{ label(terms.BedCategory('other')) }}|{{ label(terms.Sex('other')) }}|"
                "{{ label(terms.Mobility('stretcher')) }}|{{ label(terms.PlaceType('stretcher')) }}")  # fmt: skip
    for lang in ("uk", "nl"):
        with app.test_request_context(headers={"Accept-Language": lang}):
            from evac import terms

            rendered = render_template_string(template)
            # The labels asked for one by one, uncached
            expected = "|".join(terms.label(v) for v in (
                terms.BedCategory.OTHER, terms.Sex.OTHER, terms.Mobility.STRETCHER,
                terms.PlaceType("stretcher")))  # fmt: skip
            assert rendered == expected, lang
    # The words differ where the catalogues say so (so the test above can tell them apart)
    assert expected.split("|")[0] != expected.split("|")[1]
