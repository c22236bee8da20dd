from __future__ import annotations

from passage.audit.chain import verify
from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.models import Case


def test_a_lawyer_sees_the_dashboard(as_lawyer, office):
    response = as_lawyer.get("/")
    assert response.status_code == 200
    assert office.case.code in response.content.decode()


def test_case_text_is_stored_encrypted_and_read_back(office):
    stored = Case.objects.get(pk=office.case.pk)
    assert b"Ivan" not in bytes(stored.true_name_enc)
    text = actions.read_case(office.lawyer, stored)
    assert text.narrative == "Left the unit in 2025."
    assert actions.reveal_true_name(office.lawyer, stored) == "Ivan Testov"
    assert AuditEvent.objects.filter(action="reveal").count() == 1
    assert verify() == []


def test_a_sealed_server_shows_the_unseal_page(as_lawyer, vault):
    vault.seal()
    response = as_lawyer.get("/")
    assert response.status_code == 503
    assert "sealed" in response.content.decode().lower()


def _nav(page: bytes) -> str:
    text = page.decode()
    return text[text.index("<nav") : text.index("</nav>")]


def test_the_navigation_follows_each_role_and_language(office, vault):
    """The layout keeps its links per role and language: each person still sees only their own."""
    from django.test import Client

    from tests.conftest import verified_client

    links = {}
    for name, user in (("admin", office.admin), ("lawyer", office.lawyer), ("volunteer", office.volunteer)):
        person = verified_client(Client(), user)
        links[name] = _nav(person.get("/").content)
        person.post("/i18n/setlang/", {"language": "ru"})
        links[f"{name}-ru"] = _nav(person.get("/").content)
    assert "/accounts/users/" in links["admin"] and "/accounts/users/" not in links["lawyer"]
    assert "/statistics/" in links["lawyer"] and "/statistics/" not in links["volunteer"]
    assert "/inbox/" not in links["volunteer-ru"] and "/cases/" in links["volunteer-ru"]
    assert ">Dashboard<" in links["volunteer"] and ">Dashboard<" not in links["volunteer-ru"]
    assert ">Статистика<" in links["lawyer-ru"] and ">Statistics<" in links["lawyer"]
    lawyer = verified_client(Client(), office.lawyer)
    vault.seal()
    assert "/statistics/" not in _nav(lawyer.get("/").content)  # the unseal page: no links at all


def _tokens(page: bytes) -> list[str]:
    import re

    header = page.decode().split("</header>")[0]
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', header)


def test_the_kept_header_carries_each_request_its_own_working_token(office):
    """The header is rendered once per person and language; every form in it still gets a live token."""
    from django.test import Client

    from tests.conftest import verified_client

    lawyer = verified_client(Client(enforce_csrf_checks=True), office.lawyer)
    first, second = _tokens(lawyer.get("/").content), _tokens(lawyer.get("/").content)
    assert len(first) == 3 and len(set(first)) == 1  # language, seal, log out: this request's token
    assert first != second  # masked afresh on every request, as {% csrf_token %} does
    assert all(token.isalnum() and "csrf0token" not in token for token in first + second)
    assert lawyer.post("/i18n/setlang/", {"language": "ru", "csrfmiddlewaretoken": first[0]}).status_code == 302
    assert lawyer.post("/i18n/setlang/", {"language": "ru", "csrfmiddlewaretoken": "x" * 64}).status_code == 403


def test_the_kept_header_shows_each_person_their_own_name(office, django_user_model):
    from django.test import Client

    from passage.accounts.models import Role
    from tests.conftest import verified_client

    other = django_user_model.objects.create_user("olga-lawyer", password="a-long-test-password-5", role=Role.LAWYER)
    for user, stranger in ((office.lawyer, other), (other, office.lawyer), (office.lawyer, other)):
        header = verified_client(Client(), user).get("/").content.decode().split("</header>")[0]
        assert f"({user.username})" in header and stranger.username not in header
    anonymous = Client().get("/accounts/login/").content.decode().split("</header>")[0]
    assert "Log out" not in anonymous and "/cases/" not in anonymous and "csrfmiddlewaretoken" in anonymous
