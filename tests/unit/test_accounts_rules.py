from __future__ import annotations

import pytest

from xinyong.domain.accounts import (
    ADMIN_ROLES,
    ROLE_PERMISSIONS,
    Actor,
    Permission,
    Role,
    check_role_set,
    parse_scopes,
)
from xinyong.domain.masking import mask_identifier, mask_name
from xinyong.errors import InvalidInput, PermissionDenied


class TestSeparationOfDuties:
    def test_only_the_auditor_reads_the_audit_log(self) -> None:
        holders = {role for role, perms in ROLE_PERMISSIONS.items() if Permission.AUDIT_READ in perms}
        assert holders == {Role.AUDITOR}

    def test_only_the_security_admin_grants_roles(self) -> None:
        holders = {role for role, perms in ROLE_PERMISSIONS.items() if Permission.ROLES_GRANT in perms}
        assert holders == {Role.SECURITY_ADMIN}

    @pytest.mark.parametrize("admin", sorted(ADMIN_ROLES))
    def test_an_administrator_role_cannot_be_combined(self, admin: Role) -> None:
        for other in Role:
            if other is not admin:
                with pytest.raises(InvalidInput):
                    check_role_set({admin, other}, department_id=1)

    def test_a_submitter_needs_a_department(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            check_role_set({Role.SUBMITTER}, department_id=None)
        assert caught.value.code == "role.needs_department"


class TestTokenScopes:
    def test_a_token_narrows_its_users_permissions(self) -> None:
        actor = Actor("op", "token", user_id=1, roles=frozenset({Role.OPERATOR}),
                      scopes=frozenset({Permission.SUBJECTS_READ, Permission.RECORDS_SUBMIT}))
        assert actor.permissions == {Permission.SUBJECTS_READ}
        with pytest.raises(PermissionDenied):
            actor.require(Permission.RECORDS_READ_ALL)

    def test_administrator_permissions_are_never_token_scopes(self) -> None:
        with pytest.raises(InvalidInput):
            parse_scopes(["audit:read"])
        with pytest.raises(InvalidInput):
            parse_scopes("roles:grant")

    def test_unknown_and_empty_scopes_are_refused(self) -> None:
        with pytest.raises(InvalidInput):
            parse_scopes(["records:everything"])
        with pytest.raises(InvalidInput):
            parse_scopes([])


class TestMasking:
    def test_citizen_id_keeps_four_and_four(self) -> None:
        assert mask_identifier("32100219900101123X") == "3210**********123X"

    @pytest.mark.parametrize(
        ("name", "masked"), [("张三明", "张*明"), ("张三", "张*"), ("欧阳娜娜", "欧**娜"), ("张", "*")]
    )
    def test_person_names(self, name: str, masked: str) -> None:
        assert mask_name(name) == masked
