"""Within one request, the master key and each case's key are fetched once; sealing and shredding
still take effect at once inside it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passage.cases import actions
from passage.cases.models import Case
from passage.sealing import service
from passage.vault import LocalKeyHolder, SealedError, VaultError


class CountingHolder(LocalKeyHolder):
    """The real in-process key holder, counting how often the master key is asked for and how
    often whether it is sealed."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0
        self.asked_sealed = 0

    def master(self) -> Any:
        self.asked += 1
        return super().master()

    def is_sealed(self) -> bool:
        self.asked_sealed += 1
        return super().is_sealed()


@pytest.fixture
def counting(office: Any) -> CountingHolder:
    holder = CountingHolder()
    holder.unseal(service.holder().master().copy())
    service.use_holder(holder)
    return holder


def _narrative(case: Case) -> str:
    return service.case_cipher(case.id).decrypt(Case._meta.db_table, case.id, "narrative", case.narrative_enc)


def test_a_case_key_is_read_and_unwrapped_once_per_scope(office: Any, counting: CountingHolder) -> None:
    case = Case.objects.get(pk=office.case.pk)
    with service.request_scope():
        service.audit_mac("0" * 64)  # the master key, first asked for here
        with CaptureQueriesContext(connection) as first:
            text = _narrative(case)
        with CaptureQueriesContext(connection) as again:
            assert _narrative(case) == text
        assert service.case_cipher(case.id) is service.case_cipher(case.id)
    assert len(first.captured_queries) == 1 and len(again.captured_queries) == 0
    assert counting.asked == 1
    _narrative(case)  # outside a scope: asked again, as before
    assert counting.asked == 2


def test_sealing_inside_a_scope_stops_it_at_once(office: Any, counting: CountingHolder) -> None:
    case = Case.objects.get(pk=office.case.pk)
    with service.request_scope():
        _narrative(case)
        service.seal(actor=office.lawyer)
        with pytest.raises(SealedError):
            _narrative(case)


def test_a_case_shredded_inside_a_scope_cannot_be_read_in_it(office: Any, counting: CountingHolder) -> None:
    case = Case.objects.get(pk=office.case.pk)
    with service.request_scope():
        _narrative(case)
        actions.shred_case(case.id, actor=office.lawyer)
        with pytest.raises(VaultError, match="crypto-shredded"):
            service.case_cipher(case.id)


def test_a_staff_page_asks_the_key_holder_once(as_lawyer: Any, counting: CountingHolder, office: Any) -> None:
    """The sealed gate asks for the key, which also says whether the vault is sealed; the layout
    shows its answer and the page decrypts with that key, without asking the key daemon again."""
    holder = counting
    response = as_lawyer.get(f"/cases/{office.case.id}/")
    assert response.status_code == 200
    assert (holder.asked, holder.asked_sealed) == (1, 0)
    assert b'action="/vault/seal/"' in response.content  # the layout still knows it is unsealed: "Seal now"
    holder.seal()
    response = as_lawyer.get("/")
    assert response.status_code == 503 and (holder.asked, holder.asked_sealed) == (2, 0)
