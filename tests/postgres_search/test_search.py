"""package_search on the PostgreSQL backend behaves as CKAN on Solr for each query form."""
from __future__ import annotations

import json
from typing import Any, Optional

import pytest

from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "postgres_search"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


def search(app, headers: Optional[dict] = None, status: int = 200, **params: Any) -> dict:
    """Call package_search through the HTTP API, as a browser or client would."""
    query: list[tuple[str, Any]] = []
    for key, value in params.items():
        if key == "facet.field" or isinstance(value, bool):
            query.append((key, json.dumps(value)))
        elif isinstance(value, list):
            query.extend((key, item) for item in value)
        else:
            query.append((key, value))
    response = app.get("/api/3/action/package_search", query_string=query,
                       headers=headers or {}, status=status)
    body = response.json
    return body["result"] if status == 200 else body


def names(result: dict) -> set[str]:
    return {r["name"] for r in result["results"]}


def test_match_all_returns_public_active_datasets(app, corpus):
    """With no query, anonymous users see every public active dataset and nothing else."""
    result = search(app)
    assert result["count"] == 6
    assert "effectifs-agents" not in names(result)
    assert "brouillon-marches" not in names(result)


def test_free_text_folds_accents_and_stems(app, corpus):
    """A word typed without accents and in the singular finds its accented plural."""
    assert names(search(app, q="equipement")) == {"equipements-sportifs"}
    assert names(search(app, q="deliberation")) == {"deliberations-conseil"}


def test_free_text_searches_notes_tags_and_organization(app, corpus):
    """Free text matches words of the description, of tags and of the organization."""
    assert names(search(app, q="gymnases")) == {"equipements-sportifs"}
    assert names(search(app, q="déchets")) == {"dechetteries"}


def test_free_text_requires_every_word_of_a_short_query(app, corpus):
    """Two words must both match, as Solr's default minimum-should-match does."""
    assert names(search(app, q="budget conseil")) == {"budget-primitif-2026"}


def test_phrase_query(app, corpus):
    """A quoted phrase matches only the exact word sequence."""
    assert names(search(app, q='"conseil municipal"')) == {
        "budget-primitif-2026", "deliberations-conseil"}
    assert names(search(app, q='"municipal conseil"')) == set()


def test_excluded_word(app, corpus):
    """A word prefixed with a minus removes the datasets that contain it."""
    result = search(app, q="finances -conseil")
    assert "deliberations-conseil" not in names(result)


def test_prefix_query(app, corpus):
    """A trailing star matches words that start with the prefix."""
    assert "dechetteries" in names(search(app, q="déchet*"))


def test_fielded_query_on_tags(app, corpus):
    """A field:value query on tags matches the exact tag."""
    assert names(search(app, q="tags:finances")) == {"budget-primitif-2026",
                                                       "deliberations-conseil"}


def test_boolean_operators(app, corpus):
    """AND, OR and NOT combine fielded clauses like Lucene."""
    assert names(search(app, q="tags:sport OR tags:air")) == {"equipements-sportifs",
                                                              "qualite-de-l-air"}
    assert names(search(app, q="tags:finances AND NOT tags:budget")) == {
        "deliberations-conseil"}


def test_fq_exact_organization(app, corpus):
    """The facet filter the UI builds restricts results to one organization."""
    result = search(app, fq='+organization:"rennes-metropole"')
    assert names(result) == {"qualite-de-l-air", "stationnement-velo", "dechetteries"}


def test_fq_list_combines_filters(app, corpus):
    """Several fq_list filters narrow results together."""
    result = search(app, fq_list=['organization:"rennes-metropole"', 'tags:"environnement"'])
    assert names(result) == {"qualite-de-l-air", "dechetteries"}


def test_fq_or_group_and_negation(app, corpus):
    """field:(a OR b) unions values and -field:value excludes one."""
    assert names(search(app, fq='res_format:(PDF OR GeoJSON)')) == {
        "deliberations-conseil", "stationnement-velo"}
    assert "budget-primitif-2026" not in names(search(app, fq='-tags:budget'))


def test_fq_on_extras(app, corpus):
    """Extras are filterable both as extras_<key> and as <key>."""
    assert names(search(app, fq='extras_theme:Environnement')) == {"qualite-de-l-air"}
    assert names(search(app, fq='theme:"Sport"')) == {"equipements-sportifs"}


def test_fq_date_math_range(app, corpus):
    """A metadata_modified range with date math keeps recent datasets and drops none wrongly."""
    assert search(app, fq="metadata_modified:[NOW-1DAY TO *]")["count"] == 6
    assert search(app, fq="metadata_modified:[* TO NOW-1DAY]")["count"] == 0


def test_fq_numeric_range(app, corpus):
    """num_resources is a number and ranges compare numerically."""
    assert names(search(app, fq="num_resources:[2 TO *]")) == {"budget-primitif-2026"}


def test_dataset_type_filter(app, corpus):
    """dataset_type filters by CKAN dataset type."""
    assert search(app, fq="+dataset_type:dataset")["count"] == 6
    assert search(app, fq="+dataset_type:harvest")["count"] == 0


def test_facets_counts_and_order(app, corpus):
    """Facets are counted over all matches and ordered by count, then by name."""
    result = search(app, **{"facet.field": ["tags", "organization", "license_id"],
                            "rows": 1})
    tags = result["facets"]["tags"]
    assert tags["finances"] == 2 and tags["environnement"] == 2 and tags["sport"] == 1
    assert result["facets"]["organization"] == {
        "rennes-metropole": 3, "ville-de-rennes": 2, "ville-de-bruz": 1}
    orgs = result["search_facets"]["organization"]["items"]
    titles = {item["name"]: item["display_name"] for item in orgs}
    assert titles["rennes-metropole"] == "Rennes Métropole"
    licences = {i["name"]: i["display_name"] for i in result["search_facets"]["license_id"]["items"]}
    assert licences["odc-odbl"] == "Licence ODbL 1.0 (Open Database License)"


def test_facet_limit_and_mincount(app, corpus):
    """facet.limit keeps the most frequent values; facet.mincount drops rare ones."""
    limited = search(app, **{"facet.field": ["tags"], "facet.limit": 2})
    assert set(limited["facets"]["tags"]) == {"environnement", "finances"}
    frequent = search(app, **{"facet.field": ["tags"], "facet.mincount": 2})
    assert frequent["facets"]["tags"] == {"environnement": 2, "finances": 2}


def test_facets_follow_filters(app, corpus):
    """Facet counts are computed on the filtered result set only."""
    result = search(app, fq='organization:"ville-de-rennes"', **{"facet.field": ["res_format"]})
    assert result["facets"]["res_format"] == {"CSV": 2, "JSON": 1}


def test_sort_by_title(app, corpus):
    """title_string asc orders results alphabetically by title."""
    result = search(app, sort="title_string asc")
    titles = [r["title"] for r in result["results"]]
    assert titles == sorted(titles, key=str.lower) or titles == sorted(titles)


def test_sort_by_name_desc_and_paging(app, corpus):
    """Paging with rows/start walks the sorted results without overlap."""
    first = search(app, sort="name desc", rows=4, start=0)
    second = search(app, sort="name desc", rows=4, start=4)
    ordered = [r["name"] for r in first["results"] + second["results"]]
    assert ordered == sorted(ordered, reverse=True)
    assert len(ordered) == 6 and first["count"] == 6


def test_sort_by_metadata_modified(app, corpus):
    """The most recently modified dataset comes first with metadata_modified desc."""
    helpers.call_action("package_patch", id="dechetteries", notes="Mise à jour")
    result = search(app, sort="metadata_modified desc", rows=1)
    assert result["results"][0]["name"] == "dechetteries"


def test_relevance_ranks_title_matches_first(app, corpus):
    """A word in the title outranks the same word only in another dataset's notes."""
    result = search(app, q="budget")
    assert result["results"][0]["name"] == "budget-primitif-2026"


def test_fl_returns_selected_fields(app, corpus):
    """fl limits each result to the requested fields."""
    result = search(app, fl=["name", "title"], sort="name asc", rows=1)
    assert result["results"] == [{"name": "budget-primitif-2026", "title": "Budget primitif 2026"}]


@pytest.mark.ckan_config("ckan.search.rows_max", 3)
def test_rows_are_capped_at_the_configured_maximum(app, corpus):
    """rows above ckan.search.rows_max is capped, as core does, while the count stays whole."""
    result = search(app, rows=100000)
    assert len(result["results"]) == 3
    assert result["count"] == 6


def test_private_dataset_visible_to_org_member_only(app, corpus, api_headers):
    """include_private shows a private dataset to its organization's members only."""
    member = search(app, headers=api_headers(corpus["editor"]), include_private=True)
    assert "effectifs-agents" in names(member)
    outsider = search(app, headers=api_headers(corpus["outsider"]), include_private=True)
    assert "effectifs-agents" not in names(outsider)
    anonymous = search(app, include_private=True)
    assert "effectifs-agents" not in names(anonymous)


def test_sysadmin_sees_private_datasets(app, corpus, api_headers):
    """A sysadmin sees private datasets with include_private."""
    admin = factories.Sysadmin()
    assert "effectifs-agents" in names(search(app, headers=api_headers(admin), include_private=True))


def test_drafts_only_with_include_drafts(app, corpus, api_headers):
    """A draft dataset is returned to its creator only when drafts are asked for."""
    creator = helpers.call_action("package_show", id="brouillon-marches")["creator_user_id"]
    user = helpers.call_action("user_show", id=creator)
    headers = api_headers(user)
    assert "brouillon-marches" not in names(search(app, headers=headers))
    with_drafts = search(app, headers=headers, include_drafts=True, include_private=True)
    assert "brouillon-marches" in names(with_drafts)


@pytest.mark.ckan_config("ckan.search.remove_deleted_packages", False)
def test_deleted_dataset_leaves_results(app, corpus):
    """Deleting a dataset removes it from results unless include_deleted is asked by a sysadmin."""
    helpers.call_action("package_delete", id="dechetteries")
    assert "dechetteries" not in names(search(app))
    deleted = helpers.call_action("package_search", include_deleted=True, q="déchetteries")
    assert [r["name"] for r in deleted["results"]] == ["dechetteries"]


def test_update_is_reflected_immediately(app, corpus):
    """After package_patch, the new title is found and the old one is not."""
    factories.Dataset(name="jeu-renomme", title="Inventaire zébré")
    helpers.call_action("package_patch", id="jeu-renomme", title="Inventaire tigré")
    assert names(search(app, q="tigré")) == {"jeu-renomme"}
    assert names(search(app, q="zébré")) == set()


def test_use_default_schema_returns_data_dict(app, corpus):
    """use_default_schema returns the unvalidated data_dict from the index."""
    result = helpers.call_action("package_search", q="name:stationnement-velo",
                                 use_default_schema=True)
    assert result["results"][0]["name"] == "stationnement-velo"


@pytest.mark.parametrize("q", ["title:titre~2", "title:budget^2", "title:(", 'title:"open',
                               "title:b?t", "title:*ville", "tags:[a TO"])
def test_unsupported_syntax_is_a_clear_400(app, corpus, q):
    """Fielded query forms outside the supported syntax give a 400 with a message, never a 500."""
    body = search(app, status=400, q=q)
    assert body["success"] is False
    assert body["error"]["__type"] == "Search Query Error"
    assert body["error"]["message"]


@pytest.mark.parametrize("q", ["{!lucene}title:x", "_val_:1"])
def test_solr_local_params_and_magic_fields_are_refused(app, corpus, q):
    """Local parameters and magic fields stay refused, as core refuses them on Solr."""
    body = search(app, status=409, q=q)
    assert body["error"]["__type"] == "Search Error"


@pytest.mark.parametrize("q", ["titre~2", "*ville", "budget^2 (", 'conseil "municipal'])
def test_free_text_with_special_characters_is_plain_text(app, corpus, q):
    """Free text (dismax) treats stray operators as text instead of failing."""
    assert search(app, q=q)["count"] >= 0


@pytest.mark.parametrize("sort", ["tags asc", "title_string sideways", "score"])
def test_invalid_sort_is_a_clear_400(app, corpus, sort):
    """A multi-valued or malformed sort is rejected with a message."""
    body = search(app, status=400, sort=sort)
    assert body["error"]["__type"] == "Search Query Error"


def test_organization_dataset_counts(app, corpus):
    """organization_list's dataset counts come from the index, private ones hidden from visitors."""
    orgs = app.get("/api/3/action/organization_list",
                   query_string={"all_fields": "true"}).json["result"]
    counts = {o["name"]: o["package_count"] for o in orgs}
    assert counts == {"ville-de-rennes": 2, "ville-de-bruz": 1, "rennes-metropole": 3}


def test_group_page_lists_its_datasets(app, corpus):
    """A group's page shows the datasets of that group."""
    response = app.get("/group/environnement")
    assert "Qualité de l&#39;air" in response.body or "Qualité de l'air" in response.body
    assert "Stationnement vélo" in response.body
    assert "Budget primitif 2026" not in response.body


def test_organization_page_lists_its_datasets(app, corpus):
    """An organization's page lists its public datasets."""
    response = app.get("/organization/ville-de-bruz")
    assert "Délibérations du conseil municipal" in response.body
    assert "Équipements sportifs" not in response.body


def test_dataset_page_search_with_facet(app, corpus):
    """The /dataset page filters by a tag facet and shows the count."""
    response = app.get("/dataset/", query_string={"tags": "finances"})
    assert "Budget primitif 2026" in response.body
    assert "Délibérations du conseil municipal" in response.body
    assert "Équipements sportifs" not in response.body


def test_package_autocomplete(corpus):
    """Dataset autocomplete finds datasets by the start of a title word."""
    result = helpers.call_action("package_autocomplete", q="stationn")
    assert [r["name"] for r in result] == ["stationnement-velo"]


def test_home_page_stats(app, corpus):
    """The home page renders with the dataset count from the index."""
    response = app.get("/")
    assert response.status_code == 200


def test_api_creates_organization_and_dataset_without_solr(app, api_headers):
    """Creating an organization and a dataset through the API works with no Solr anywhere."""
    admin = factories.Sysadmin()
    headers = api_headers(admin)
    org = app.post("/api/3/action/organization_create", json={"name": "cesson-sevigne"},
                   headers=headers).json["result"]
    app.post("/api/3/action/package_create",
             json={"name": "arbres-remarquables", "owner_org": org["id"]}, headers=headers)
    assert names(search(app, q="arbres")) == {"arbres-remarquables"}
