"""Reuse actions: create, show, update, delete, list and their effects."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import helpers

from ckanext.reuse_tracker.model import Reuse, ReuseDataset
from tests.shared import as_user
from tests.reuse_tracker.reuse_setup import MARKS, make_portal, published, submit, unique_url

pytestmark = MARKS


def _list(user: Any, **filters: Any) -> dict[str, Any]:
    return helpers.call_action("reuse_list", as_user(user), **filters)


def _names(result: dict[str, Any]) -> list[str]:
    return [reuse["name"] for reuse in result["results"]]


def test_user_submission_is_pending_and_returns_the_reuse():
    """A logged-in user's reuse is created pending, with its linked datasets and labels."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public, portal.second["name"]],
                   title="Carte des budgets", type="visualization", topic="health")
    assert reuse["state"] == "pending"
    assert reuse["name"] == "carte-des-budgets"
    assert reuse["type_label"] == "Visualization"
    assert reuse["topic_label"] == "Health"
    assert reuse["dataset_count"] == 2
    assert [d["name"] for d in reuse["datasets"]] == ["arbres-urbains", "budget-primitif"]
    assert reuse["submitter"]["name"] == portal.submitter["name"]
    assert reuse["published"] is None
    assert reuse["link"] == {"checked": None, "status": None, "failures": 0,
                             "broken_since": None}


def test_sysadmin_submission_is_published_at_once():
    """A sysadmin's reuse skips moderation and gets a publication date."""
    portal = make_portal()
    reuse = submit(portal.sysadmin, [portal.public])
    assert reuse["state"] == "published"
    assert reuse["published"]


@pytest.mark.ckan_config("ckanext.reuse_tracker.trusted_users", "trusted-reuser")
def test_trusted_user_submission_is_published_at_once():
    """A user listed in trusted_users publishes without moderation."""
    from ckan.tests import factories
    portal = make_portal()
    trusted = factories.User(name="trusted-reuser")
    assert submit(trusted, [portal.public])["state"] == "published"
    assert submit(portal.submitter, [portal.public])["state"] == "pending"


def test_datasets_accept_a_comma_separated_string():
    """A form's comma-separated list of dataset names links each dataset once."""
    portal = make_portal()
    reuse = submit(portal.submitter, " budget-primitif, arbres-urbains ,budget-primitif")
    assert reuse["dataset_count"] == 2


def test_same_title_gets_a_distinct_name():
    """Two reuses with the same title get distinct slugs."""
    portal = make_portal()
    first = submit(portal.submitter, [portal.public], title="Mon appli")
    second = submit(portal.submitter, [portal.public], title="Mon appli")
    assert (first["name"], second["name"]) == ("mon-appli", "mon-appli-2")


def test_url_is_stored_normalised():
    """Scheme and host are lower-cased; default port, fragment and trailing slash dropped."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public],
                   url="HTTPS://Carto.Example.ORG:443/Budget/?annee=2024#carte")
    assert reuse["url"] == "https://carto.example.org/Budget?annee=2024"


def test_duplicate_url_names_the_existing_reuse():
    """A URL equal to a published reuse's after normalisation is refused, naming that reuse."""
    portal = make_portal()
    existing = published(portal, url="https://carto.example.org/budget")
    with pytest.raises(tk.ValidationError) as error:
        submit(portal.plain, [portal.public], url="https://CARTO.example.org:443/budget/#x")
    assert f"/reuses/{existing['name']}" in error.value.error_dict["url"][0]
    assert error.value.error_dict["url_existing"] == [existing["name"]]


def test_duplicate_of_a_hidden_reuse_does_not_name_it():
    """A URL already submitted by someone else, still pending, is refused without naming it."""
    portal = make_portal()
    hidden = submit(portal.submitter, [portal.public], url="https://carto.example.org/x")
    with pytest.raises(tk.ValidationError) as error:
        submit(portal.plain, [portal.public], url="https://carto.example.org/x")
    assert hidden["name"] not in str(error.value.error_dict)
    assert "url_existing" not in error.value.error_dict


def test_organization_must_be_one_of_the_submitter():
    """A reuse may name an organization its submitter belongs to, not another one."""
    portal = make_portal()
    reuse = submit(portal.editor, [portal.public], organization_id=portal.org["name"])
    assert reuse["organization"]["name"] == "ville-de-lyon"
    assert reuse["organization_id"] == portal.org["id"]
    with pytest.raises(tk.ValidationError) as error:
        submit(portal.submitter, [portal.public], organization_id=portal.org["name"])
    assert "organization_id" in error.value.error_dict


def test_show_by_name_or_id():
    """A published reuse is shown to a visitor by its name or id."""
    portal = make_portal()
    reuse = published(portal)
    for key in (reuse["name"], reuse["id"]):
        assert helpers.call_action("reuse_show", as_user(None), id=key)["id"] == reuse["id"]


def test_show_unknown_reuse_is_not_found():
    """An unknown id is reported as not found."""
    make_portal()
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("reuse_show", as_user(None), id="nope")


def test_private_fields_only_for_submitter_and_moderators():
    """The contact e-mail and moderation details are hidden from other users."""
    portal = make_portal()
    reuse = published(portal, contact_email="contact@example.org")
    for user in (portal.submitter, portal.admin, portal.sysadmin):
        shown = helpers.call_action("reuse_show", as_user(user), id=reuse["id"])
        assert shown["contact_email"] == "contact@example.org"
        assert shown["moderated_by"] == portal.sysadmin["name"]
    for user in (None, portal.plain, portal.editor):
        shown = helpers.call_action("reuse_show", as_user(user), id=reuse["id"])
        assert "contact_email" not in shown and "link" not in shown


def test_submitter_edit_of_published_reuse_goes_back_to_pending():
    """A plain submitter changing a published reuse sends it back to moderation."""
    portal = make_portal()
    reuse = published(portal)
    updated = helpers.call_action("reuse_update", as_user(portal.submitter), id=reuse["id"],
                                  title="Nouveau titre")
    assert (updated["title"], updated["state"]) == ("Nouveau titre", "pending")


def test_moderator_edit_keeps_the_state():
    """An organization admin editing a published reuse of its data keeps it published."""
    portal = make_portal()
    reuse = published(portal)
    updated = helpers.call_action("reuse_update", as_user(portal.admin), id=reuse["id"],
                                  description="Mieux décrit.")
    assert updated["state"] == "published"
    assert updated["description"] == "Mieux décrit."


def test_update_without_change_keeps_state_and_date():
    """Saving a reuse unchanged neither resets its state nor touches its modified date."""
    portal = make_portal()
    reuse = published(portal)
    updated = helpers.call_action("reuse_update", as_user(portal.submitter), id=reuse["id"],
                                  title=reuse["title"], url=reuse["url"])
    assert updated["state"] == "published"
    assert updated["modified"] == reuse["modified"]


def test_emptied_optional_fields_are_cleared():
    """An edit form's empty topic and contact e-mail clear them."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public], contact_email="a@example.org")
    updated = helpers.call_action("reuse_update", as_user(portal.submitter), id=reuse["id"],
                                  topic="", contact_email="")
    assert (updated["topic"], updated["contact_email"]) == (None, None)


def test_failed_update_changes_nothing():
    """An update refused on one field leaves every other field as it was."""
    portal = make_portal()
    reuse = published(portal)
    with pytest.raises(tk.ValidationError):
        helpers.call_action("reuse_update", as_user(portal.submitter), id=reuse["id"],
                            title="Titre changé", datasets=["n-existe-pas"])
    shown = helpers.call_action("reuse_show", as_user(portal.submitter), id=reuse["id"])
    assert (shown["title"], shown["state"]) == (reuse["title"], "published")


def test_update_to_a_taken_url_is_refused():
    """Changing a reuse's URL to another reuse's is refused on url."""
    portal = make_portal()
    first = published(portal)
    second = published(portal)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("reuse_update", as_user(portal.sysadmin), id=second["id"],
                            url=first["url"] + "/")
    assert error.value.error_dict["url_existing"] == [first["name"]]


def test_update_keeps_links_the_editor_cannot_see():
    """Replacing datasets keeps the links to private datasets the editor cannot read."""
    portal = make_portal()
    reuse = submit(portal.editor, [portal.public, portal.private])
    # The submitter leaves the organization: the private dataset is now hidden from them.
    helpers.call_action("organization_member_delete", as_user(portal.sysadmin),
                        id=portal.org["id"],
                        username=portal.editor["name"])
    helpers.call_action("reuse_update", as_user(portal.editor), id=reuse["id"],
                        datasets=[portal.second["id"]])
    linked = {row.package_id for row in model.Session.query(ReuseDataset)}
    assert linked == {portal.second["id"], portal.private["id"]}


def test_featured_is_set_by_sysadmins():
    """A sysadmin features a reuse; it then comes first in the gallery."""
    portal = make_portal()
    older = published(portal)
    published(portal)
    helpers.call_action("reuse_update", as_user(portal.sysadmin), id=older["id"],
                        featured=True)
    assert _names(_list(None))[0] == older["name"]
    assert _names(_list(None, featured_first=False))[1] == older["name"]
    assert _names(_list(None, featured=True)) == [older["name"]]


def test_delete_removes_reuse_and_links():
    """Deleting a reuse removes its row and its dataset links for good."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public, portal.second])
    helpers.call_action("reuse_delete", as_user(portal.submitter), id=reuse["name"])
    assert model.Session.query(Reuse).count() == 0
    assert model.Session.query(ReuseDataset).count() == 0
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("reuse_show", as_user(portal.sysadmin), id=reuse["id"])


def test_list_defaults_to_published_newest_first():
    """The default list holds published reuses only, the latest published first."""
    portal = make_portal()
    first = published(portal)
    second = published(portal)
    submit(portal.submitter, [portal.public])
    result = _list(None)
    assert result["count"] == 2
    assert _names(result) == [second["name"], first["name"]]


def test_list_filters_by_dataset_type_topic_and_text():
    """Dataset, type, topic and text filters each narrow the list."""
    portal = make_portal()
    budget = published(portal, [portal.public], title="Budget en 3D", type="visualization",
                       topic="economy_and_business")
    trees = published(portal, [portal.second], title="Ombre des arbres", type="application",
                      topic="environment_and_energy", description="Où trouver de l'ombre")
    assert _names(_list(None, dataset=portal.public["name"])) == [budget["name"]]
    assert _names(_list(None, type="application")) == [trees["name"]]
    assert _names(_list(None, topic="economy_and_business")) == [budget["name"]]
    assert _names(_list(None, q="OMBRE")) == [trees["name"]]
    assert _names(_list(None, q="100%")) == []


def test_list_filters_by_organization_of_datasets_or_reuse():
    """An organization lists reuses of its datasets and reuses it made."""
    portal = make_portal()
    of_data = published(portal, [portal.public])
    made_by = published(portal, [portal.other], organization_id=None)
    helpers.call_action("reuse_update", as_user(portal.sysadmin), id=made_by["id"],
                        organization_id=portal.org["id"])
    published(portal, [portal.other])
    assert set(_names(_list(None, organization="ville-de-lyon"))) == {
        of_data["name"], made_by["name"]}


def test_list_sorts_by_dataset_count_and_title():
    """Sorting by datasets puts the most linked first; by title, alphabetically."""
    portal = make_portal()
    one = published(portal, [portal.public], title="Zèbre")
    two = published(portal, [portal.public, portal.second], title="abeille")
    published(portal, [portal.other], title="Mouette")
    assert _names(_list(None, sort="datasets"))[0] == two["name"]
    assert _names(_list(None, sort="title")) == [two["name"], "mouette", one["name"]]


def test_list_pages_with_limit_and_offset():
    """Limit and offset page through the list; count is the total."""
    portal = make_portal()
    for _ in range(5):
        published(portal)
    first = _list(None, limit=2)
    second = _list(None, limit=2, offset=2)
    assert first["count"] == second["count"] == 5
    assert len(first["results"]) == 2
    assert not set(_names(first)) & set(_names(second))


def test_list_limit_is_capped():
    """A limit above 100 is brought down to 100 instead of failing."""
    portal = make_portal()
    published(portal)
    assert _list(None, limit=5000)["count"] == 1


def test_mine_lists_own_reuses_in_every_state():
    """mine=True lists the caller's own reuses, pending and published, and no one else's."""
    portal = make_portal()
    submit(portal.plain, [portal.public])
    own = {submit(portal.submitter, [portal.public])["name"], published(portal)["name"]}
    assert set(_names(_list(portal.submitter, mine=True))) == own
    assert _list(None, mine=True)["count"] == 0


def test_pending_asked_by_a_non_moderator_gives_only_own():
    """A plain user asking for pending reuses gets only their own."""
    portal = make_portal()
    own = submit(portal.plain, [portal.public])
    submit(portal.submitter, [portal.public])
    assert _names(_list(portal.plain, state="pending")) == [own["name"]]
    assert _list(None, state="pending")["count"] == 0
    assert _list(portal.sysadmin, state="pending")["count"] == 2


def test_moderation_queue_holds_reuses_of_the_admins_data():
    """moderation=True lists the pending reuses linking the admin's organization's datasets."""
    portal = make_portal()
    ours = submit(portal.submitter, [portal.public])
    theirs = submit(portal.submitter, [portal.other])
    assert _names(_list(portal.admin, moderation=True)) == [ours["name"]]
    assert _names(_list(portal.other_admin, moderation=True)) == [theirs["name"]]
    assert _list(portal.editor, moderation=True)["count"] == 0
    assert _list(portal.sysadmin, moderation=True)["count"] == 2


def test_list_validation_names_the_field():
    """A bad sort or state is a ValidationError naming it."""
    make_portal()
    for key, value in (("sort", "random"), ("state", "deleted"), ("type", "poem")):
        with pytest.raises(tk.ValidationError) as error:
            _list(None, **{key: value})
        assert key in error.value.error_dict


def test_unique_url_helper_gives_new_urls():
    """The setup's URLs never collide (guards the other tests' assumptions)."""
    assert unique_url() != unique_url()
