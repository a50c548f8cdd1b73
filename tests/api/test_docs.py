import re

import pytest


@pytest.mark.django_db
def test_the_api_docs_load_every_asset_from_the_project(client, settings):
    # Tests run with DEBUG off and no collectstatic: let WhiteNoise serve from the finders.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    page = client.get("/api/docs/").content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets, "the Swagger UI page references its scripts and styles"
    # the start-up script is served by the docs view itself (no inline script under the CSP)
    assert all(url.startswith(("/static/", "/api/docs/?script")) for url in assets), assets
    assert any(url.startswith("/api/docs/?script") for url in assets)
    for url in assets:
        assert client.get(url).status_code == 200, url
    assert "://" not in page.split("<body")[1].replace("http://testserver", "")


@pytest.mark.django_db
def test_the_schema_documents_error_codes(client):
    schema = client.get("/api/schema/?format=json").json()

    create = schema["paths"]["/api/v1/bookings/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409"} <= set(create)
    assert "slot_unavailable" in create["409"]["description"]
    assert "quota_exceeded" in create["400"]["description"]
