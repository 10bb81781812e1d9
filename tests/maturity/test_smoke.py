"""Each kind of person signs in and lands on their own home page."""

from tests.helpers import sign_in


def test_coordinator_lands_on_their_organisation(client, world):
    response = sign_in(client, world.coordinator.email)
    assert response.status_code == 302
    home = client.get("/", follow_redirects=True)
    assert home.request.path == "/o/home-council/"
    assert "Home Council" in home.get_data(as_text=True)


def test_convenor_lands_on_their_collaborative(client, world):
    sign_in(client, world.convenor.email)
    home = client.get("/", follow_redirects=True)
    assert home.request.path == "/c/home-partnership/"
    assert "Peer Council" in home.get_data(as_text=True)


def test_respondent_lands_on_the_hub_with_their_surveys(client, world):
    sign_in(client, world.respondent.email)
    home = client.get("/", follow_redirects=True)
    assert home.request.path == "/"
    assert "Your surveys" in home.get_data(as_text=True)
