"""Tests for engine.search on a corpus of core-shaped documents."""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from ckan.lib.search.common import SearchQueryError

from ckanext.postgres_search import engine

from .conftest import OTHER_SITE_ID, RENNES_ID, SITE_ID

Names = Callable[..., list[str]]
Search = Callable[..., engine.SearchResult]

PUBLIC_ACTIVE = [
    "budget-primitif-2024", "dechetteries", "deliberations-conseil", "equipements-sportifs",
    "qualite-de-l-air", "stationnement-velo",
]
DISMAX = {"defType": "dismax", "qf": "name^4 title^4 tags^2 groups^2 text", "mm": "2<-1 5<80%",
          "tie": "0.1", "q.op": "AND", "df": "text"}


def facet(result: engine.SearchResult, field: str) -> list[Any]:
    return result.facets["facet_fields"][field]


# -- matching -------------------------------------------------------------

def test_match_all_returns_every_active_dataset_of_the_site(names: Names):
    """*:* with the site and state filters returns this site's active datasets, private included."""
    assert sorted(names(q="*:*")) == sorted(PUBLIC_ACTIVE + ["effectifs-agents"])


def test_hits_counts_all_matches_beyond_the_page(search: Search):
    """hits is the size of the matched set, not of the page."""
    result = search(q="*:*", rows=2)
    assert (result.hits, len(result.docs)) == (7, 2)


def test_string_field_matches_exactly(names: Names):
    """A string field matches the whole value."""
    assert names(q="tags:finances", sort="name asc") == ["budget-primitif-2024", "deliberations-conseil"]


def test_string_field_is_case_sensitive(names: Names):
    """String fields keep Solr's case-sensitive matching."""
    assert names(q="tags:Finances") == []


def test_string_field_with_accented_value(names: Names):
    """Accented string values match exactly."""
    assert names(q='tags:"équipements"') == ["equipements-sportifs"]


def test_string_prefix(names: Names):
    """field:prefix* matches values starting with the prefix."""
    assert names(q="name:de*", sort="name asc") == ["dechetteries", "deliberations-conseil"]


def test_string_prefix_escapes_like_wildcards(names: Names):
    """% and _ in a prefix are literal, not LIKE wildcards."""
    assert names(q=r"name:qualite_de*") == []


def test_text_field_is_stemmed_and_accent_insensitive(names: Names):
    """title:equipement finds "Équipements sportifs"."""
    assert names(q="title:equipement") == ["equipements-sportifs"]


def test_text_field_only_searches_its_own_values(names: Names):
    """A word of the notes does not match the title field."""
    assert names(q="title:gymnases") == []
    assert names(q="notes:gymnases") == ["equipements-sportifs"]


def test_text_field_phrase(names: Names):
    """A quoted phrase on a text field requires adjacent words."""
    assert names(q='notes:"conseil municipal"') == ["budget-primitif-2024"]
    assert names(q='notes:"municipal conseil"') == []


def test_text_field_prefix(names: Names):
    """A prefix on a text field matches stemmed words starting with it."""
    assert names(q="title:délib*") == ["deliberations-conseil"]


def test_extras_are_full_text(names: Names):
    """extras_* fields are text: matched by word, ignoring case and accents."""
    assert names(q="extras_theme:SPORTS") == ["equipements-sportifs"]


def test_resource_names_are_full_text(names: Names):
    """res_name is text and matches one resource's words."""
    assert names(q="res_name:seance") == ["deliberations-conseil"]


def test_default_field_searches_the_catch_all_text(names: Names):
    """An unfielded word searches everything copied into the text field."""
    assert names(q="gymnases", **{"q.op": "AND"}) == ["equipements-sportifs"]


def test_default_field_follows_df(names: Names):
    """df changes the field unfielded words search."""
    assert names(q="conseil", df="title") == ["deliberations-conseil"]


def test_default_operator_and(names: Names):
    """With q.op=AND every word is required."""
    assert names(q="conseil budget", **{"q.op": "AND"}) == ["budget-primitif-2024"]


def test_default_operator_or(names: Names):
    """With q.op=OR any word matches."""
    assert sorted(names(q="conseil budget", **{"q.op": "OR"})) == [
        "budget-primitif-2024", "deliberations-conseil"]


def test_or_between_fields(names: Names):
    """A OR between fielded clauses matches either."""
    assert sorted(names(q="res_format:GeoJSON OR tags:air", **{"q.op": "AND"})) == [
        "qualite-de-l-air", "stationnement-velo"]


def test_field_group(names: Names):
    """field:(a OR b) matches either value."""
    assert sorted(names(q="tags:(budget OR air)")) == ["budget-primitif-2024", "qualite-de-l-air"]


def test_negative_only_query_means_everything_except(names: Names):
    """-tags:environnement returns all the other datasets."""
    assert sorted(names(q="-tags:environnement")) == sorted(
        set(PUBLIC_ACTIVE + ["effectifs-agents"]) - {"dechetteries", "qualite-de-l-air"})


def test_not_operator_excludes(names: Names):
    """a AND NOT b excludes documents matching b."""
    assert names(q="tags:finances AND NOT tags:budget") == ["deliberations-conseil"]


def test_negation_includes_documents_without_the_field(names: Names):
    """Excluding a value keeps documents that have no value at all."""
    assert "dechetteries" in names(q="-res_format:CSV")


def test_field_exists(names: Names):
    """field:* matches documents that have the field."""
    assert sorted(names(q="extras_theme:*")) == [
        "budget-primitif-2024", "equipements-sportifs", "qualite-de-l-air"]


def test_vocabulary_tags_are_strings(names: Names):
    """vocab_* fields match whole values."""
    assert names(q="vocab_themes:loisirs") == ["equipements-sportifs"]


def test_unknown_fields_are_indexed_strings(names: Names):
    """Fields outside the schema (like extras copied to the top level) are strings."""
    assert names(q='theme:"Sport et loisirs"') == ["equipements-sportifs"]


def test_boolean_values_are_lowercase_strings(names: Names):
    """A boolean is indexed as "true"/"false", like pysolr sends it."""
    assert names(q="private:true") == ["effectifs-agents"]


def test_escaped_value(names: Names):
    """Escaped special characters are matched literally."""
    assert names(q=r"name:qualite\-de\-l\-air") == ["qualite-de-l-air"]


def test_ngram_field_matches_substrings(names: Names):
    """title_ngram matches a piece of the title."""
    assert names(q="title_ngram:tionnem") == ["stationnement-velo"]


def test_permission_labels_filter(names: Names):
    """Core's permission label filter keeps public datasets and those of the user's organizations."""
    public = names(q="*:*", fq='+permission_labels:("public")')
    member = names(q="*:*", fq=f'+permission_labels:("public" OR "member-{RENNES_ID}")')
    assert "effectifs-agents" not in public
    assert sorted(member) == sorted(public + ["effectifs-agents"])


def test_state_filter_includes_drafts_when_asked(conn):
    """+state:(active OR draft) lets drafts through."""
    result = engine.search(conn, q="*:*", fl="name", rows=100,
                           fq=[f'+site_id:"{SITE_ID}"', "+capacity:public +state:(active OR draft)"])
    assert "brouillon-marches" in [doc["name"] for doc in result.docs]


def test_site_filter(conn):
    """+site_id restricts results to one site."""
    result = engine.search(conn, q="name:equipements-sportifs", fq=f'+site_id:"{OTHER_SITE_ID}"', fl="title")
    assert result.docs == [{"title": "Équipements sportifs d'une autre ville"}]


def test_ui_facet_filters_are_all_required(names: Names):
    """The search page's fq ' tags:"x" res_format:"y"' requires both under q.op=AND."""
    assert names(q="*:*", fq=' tags:"finances" res_format:"CSV"', **{"q.op": "AND"}) == [
        "budget-primitif-2024"]


def test_empty_fq_is_ignored(names: Names):
    """An empty filter query filters nothing."""
    assert len(names(q="*:*", fq=["", "  "])) == 7


def test_empty_q_matches_nothing(search: Search):
    """An empty main query matches nothing, as in Solr."""
    assert search(q="").hits == 0


# -- dates and numbers -----------------------------------------------------

def test_date_range_with_explicit_dates(names: Names):
    """A range of ISO dates on metadata_created."""
    assert sorted(names(q="metadata_created:[2024-02-01T00:00:00Z TO 2024-03-31T23:59:59Z]")) == [
        "budget-primitif-2024", "deliberations-conseil"]


def test_exclusive_date_range(names: Names):
    """Curly brackets exclude the bound itself."""
    assert names(q="metadata_created:{2024-02-01T08:00:00Z TO 2024-03-01T08:00:00Z]") == [
        "deliberations-conseil"]


def test_date_range_accepts_plain_dates(names: Names):
    """Dates without a time are midnight UTC."""
    assert names(q="metadata_created:[2024-02-01 TO 2024-02-02]") == ["budget-primitif-2024"]


def test_date_math_relative_to_now(names: Names):
    """NOW-7DAYS selects what was modified during the last week."""
    assert names(q="metadata_modified:[NOW-7DAYS TO NOW]") == ["qualite-de-l-air"]


def test_date_math_with_rounding(names: Names):
    """NOW/DAY-7DAYS rounds to midnight before subtracting."""
    assert names(q="metadata_modified:[NOW/DAY-7DAYS TO *]") == ["qualite-de-l-air"]


def test_open_ended_date_range(names: Names):
    """[* TO date] has no lower bound."""
    assert sorted(names(q="metadata_created:[* TO 2023-01-01T00:00:00Z]")) == ["dechetteries"]


def test_dynamic_date_field_range(names: Names):
    """*_date fields are dates, compared as instants."""
    assert names(q="temporal_start_date:[2023-06-01T00:00:00Z TO NOW]") == ["budget-primitif-2024"]


def test_dynamic_date_field_equality(names: Names):
    """A date term matches the same instant written differently."""
    assert names(q='temporal_start_date:"2022-09-01T00:00:00.000Z"') == ["deliberations-conseil"]


def test_int_range(names: Names):
    """Int fields compare numerically, not as strings."""
    assert sorted(names(q="views_total:[50 TO *]")) == ["equipements-sportifs", "stationnement-velo"]


def test_int_equality_ignores_formatting(names: Names):
    """An int term matches the number whatever its written form."""
    assert names(q="views_total:008") == ["deliberations-conseil"]


def test_invalid_number_is_rejected(search: Search):
    """A non-numeric value on an int field raises SearchQueryError."""
    with pytest.raises(SearchQueryError):
        search(q="views_total:many")


def test_invalid_date_is_rejected(search: Search):
    """A malformed date raises SearchQueryError."""
    with pytest.raises(SearchQueryError):
        search(q="metadata_created:[yesterday TO NOW]")


def test_string_range(names: Names):
    """String ranges compare by code point."""
    assert sorted(names(q="name:[d TO e}")) == ["dechetteries", "deliberations-conseil"]


def test_range_on_text_field_is_rejected(search: Search):
    """Ranges on tokenised text fields are not supported."""
    with pytest.raises(SearchQueryError):
        search(q="title:[a TO b]")


# -- dismax and free text --------------------------------------------------

def test_dismax_accent_and_stemming(names: Names):
    """"equipement" finds "Équipements sportifs"."""
    assert names(q="equipement", **DISMAX) == ["equipements-sportifs"]


def test_dismax_uppercase_accented_query(names: Names):
    """Case and accents of the query do not matter."""
    assert names(q="DÉCHETTERIE", **DISMAX) == ["dechetteries"]


def test_dismax_two_words_are_both_required(names: Names):
    """mm 2<-1: with two words, both must match."""
    assert names(q="budget conseil", **DISMAX) == ["budget-primitif-2024"]


def test_dismax_three_words_allow_one_miss(names: Names):
    """mm 2<-1 5<80%: with three words, any two suffice."""
    assert sorted(names(q="budget conseil délibérations", **DISMAX)) == [
        "budget-primitif-2024", "deliberations-conseil"]


def test_dismax_six_words_need_eighty_percent(names: Names):
    """mm 5<80%: with six words, four must match."""
    query = "horaires ouverture déchetteries métropole gymnases piscines"
    assert names(q=query, **DISMAX) == ["dechetteries"]


def test_dismax_stopwords_do_not_count(names: Names):
    """Stopwords neither match nor count towards mm."""
    assert names(q="équipements de la ville", **DISMAX) == ["equipements-sportifs"]


def test_dismax_only_stopwords_match_nothing(names: Names):
    """A query made only of stopwords matches nothing."""
    assert names(q="de la", **DISMAX) == []


def test_dismax_phrase(names: Names):
    """Quoted phrases must appear as such."""
    assert sorted(names(q='"conseil municipal"', **DISMAX)) == [
        "budget-primitif-2024", "deliberations-conseil"]


def test_dismax_exclusion(names: Names):
    """-word excludes documents containing it."""
    assert names(q="conseil -budget", **DISMAX) == ["deliberations-conseil"]


def test_dismax_searches_tags_groups_and_organization(names: Names):
    """Tags, groups and the organization name are searchable words."""
    assert names(q="bruz", **DISMAX) == ["deliberations-conseil"]
    assert names(q="mobilité", **DISMAX) == ["stationnement-velo"]


def test_dismax_ranks_title_matches_first(names: Names):
    """A title (weight A) match outranks a notes-only (weight B) match."""
    assert names(q="conseil", sort="score desc, metadata_modified desc", **DISMAX) == [
        "deliberations-conseil", "budget-primitif-2024"]


def test_dismax_without_mm_follows_q_op(names: Names):
    """Without mm, q.op=AND requires every word."""
    params = dict(DISMAX)
    del params["mm"]
    assert names(q="budget conseil délibérations", **params) == []


# -- facets ------------------------------------------------------------------

def test_facet_counts_and_order(search: Search):
    """Facets are sorted by count, then by value in code point order."""
    result = search(q="*:*", fq="+capacity:public", facet="true", **{"facet.field": ["tags"]})
    assert facet(result, "tags") == [
        "environnement", 2, "finances", 2, "air", 1, "budget", 1, "conseil", 1, "déchets", 1,
        "mobilité", 1, "sport", 1, "vélo", 1, "équipements", 1]


def test_facet_counts_documents_not_values(search: Search):
    """A dataset with two PDF resources counts once for PDF."""
    result = search(q="*:*", facet="true", **{"facet.field": "res_format"})
    assert facet(result, "res_format") == ["CSV", 3, "GeoJSON", 1, "JSON", 1, "PDF", 1]


def test_facets_cover_the_whole_match_not_the_page(search: Search):
    """Facets count every matched document even when rows is small."""
    result = search(q="*:*", rows=1, facet="true", **{"facet.field": "organization"})
    assert facet(result, "organization") == ["rennes-metropole", 3, "ville-de-rennes", 3, "ville-de-bruz", 1]


def test_facets_follow_the_query(search: Search):
    """Facets are computed over the matched set only."""
    result = search(q="tags:finances", facet="true", **{"facet.field": ["organization", "groups"]})
    assert facet(result, "organization") == ["ville-de-bruz", 1, "ville-de-rennes", 1]
    assert facet(result, "groups") == ["finances-publiques", 2]


def test_facet_limit(search: Search):
    """facet.limit keeps the top values."""
    result = search(q="*:*", facet="true", **{"facet.field": "tags", "facet.limit": 2})
    assert facet(result, "tags") == ["environnement", 2, "finances", 2]


def test_facet_limit_minus_one_is_unlimited(search: Search):
    """facet.limit=-1 returns every value."""
    result = search(q="*:*", facet="true", **{"facet.field": "tags", "facet.limit": -1})
    assert len(facet(result, "tags")) == 2 * 11


def test_facet_mincount(search: Search):
    """facet.mincount drops rarer values."""
    result = search(q="*:*", facet="true", **{"facet.field": "tags", "facet.mincount": 2})
    assert facet(result, "tags") == ["environnement", 2, "finances", 2]


def test_facet_mincount_zero_lists_unmatched_values(search: Search):
    """facet.mincount=0 also lists indexed values that matched nothing."""
    result = search(q="tags:air", facet="true", **{"facet.field": "res_format", "facet.mincount": 0})
    assert facet(result, "res_format") == ["CSV", 1, "GeoJSON", 0, "JSON", 0, "PDF", 0]


def test_facet_on_field_outside_the_fast_column(search: Search):
    """Any indexed string field can be faceted, not only the default facets."""
    result = search(q="*:*", facet="true", **{"facet.field": ["theme", "license_id"]})
    assert facet(result, "theme") == ["Environnement", 1, "Finances", 1, "Sport et loisirs", 1]
    assert facet(result, "license_id") == ["cc-by", 6, "odc-odbl", 1]


def test_facet_on_vocabulary_tags(search: Search):
    """vocab_* fields are faceted by value."""
    result = search(q="*:*", facet="true", **{"facet.field": "vocab_themes"})
    assert facet(result, "vocab_themes") == ["environnement", 1, "loisirs", 1, "sport", 1]


def test_facet_field_without_values(search: Search):
    """A facet field nobody has gives an empty list."""
    result = search(q="*:*", facet="true", **{"facet.field": "nothing_here"})
    assert facet(result, "nothing_here") == []


def test_no_facet_field_gives_empty_facet_fields(search: Search):
    """facet=true without facet.field returns an empty facet_fields dict."""
    assert search(q="*:*", facet="true").facets["facet_fields"] == {}


def test_facets_disabled(search: Search):
    """facet=false returns no facet information, like Solr."""
    assert search(q="*:*", facet="false", **{"facet.field": "tags"}).facets == {}


# -- sorting and paging ----------------------------------------------------

def test_sort_by_name(names: Names):
    """sort=name asc orders by name."""
    assert names(q="*:*", fq="+capacity:public", sort="name asc") == PUBLIC_ACTIVE


def test_sort_by_title_string_uses_code_points(names: Names):
    """title_string sorts like Solr strings: "É" after every ASCII letter."""
    assert names(q="*:*", fq="+capacity:public", sort="title_string asc") == [
        "budget-primitif-2024", "deliberations-conseil", "dechetteries", "qualite-de-l-air",
        "stationnement-velo", "equipements-sportifs"]


def test_sort_by_metadata_modified_desc(names: Names):
    """The most recently modified dataset comes first."""
    assert names(q="*:*", sort="metadata_modified desc")[:2] == ["qualite-de-l-air", "equipements-sportifs"]


def test_sort_by_metadata_created_asc(names: Names):
    """The oldest dataset comes first."""
    assert names(q="*:*", sort="metadata_created asc")[:2] == ["dechetteries", "stationnement-velo"]


def test_sort_by_int_field_is_numeric(names: Names):
    """Int fields sort numerically; documents without a value come last."""
    ordered = names(q="*:*", fq="+capacity:public", sort="views_total desc")
    assert ordered[:4] == [
        "stationnement-velo", "equipements-sportifs", "budget-primitif-2024", "deliberations-conseil"]
    assert sorted(ordered[4:]) == ["dechetteries", "qualite-de-l-air"]


def test_sort_with_several_keys(names: Names):
    """Later sort keys break ties of earlier ones."""
    assert names(q="*:*", fq="+capacity:public", sort="organization asc, name desc") == [
        "stationnement-velo", "qualite-de-l-air", "dechetteries", "deliberations-conseil",
        "equipements-sportifs", "budget-primitif-2024"]


@pytest.mark.parametrize("sort", [
    "metadata_modified", "tags asc", "title asc", "name sideways", "name asc,", "data_dict asc",
    "name asc extra", "fn(x) asc", "text desc",
])
def test_invalid_sort_is_rejected(search: Search, sort: str):
    """Missing directions, multi-valued, text or garbled sort fields raise 'Invalid "sort" parameter'."""
    with pytest.raises(SearchQueryError, match='Invalid "sort" parameter'):
        search(q="*:*", sort=sort)


def test_paging_with_ties_is_stable(names: Names):
    """Pages of an all-tied sort neither repeat nor skip documents."""
    pages = [names(q="*:*", sort="capacity asc", rows=3, start=start) for start in (0, 3, 6)]
    flat = [name for page in pages for name in page]
    assert len(flat) == 7 and len(set(flat)) == 7


def test_paging_offsets_into_the_sorted_results(names: Names):
    """start skips that many sorted results."""
    assert names(q="*:*", fq="+capacity:public", sort="name asc", rows=2, start=2) == PUBLIC_ACTIVE[2:4]


def test_rows_zero_returns_only_counts(search: Search):
    """rows=0 returns no documents but the hit count."""
    result = search(q="*:*", rows=0)
    assert (result.docs, result.hits) == ([], 7)


def test_match_all_scores_are_equal(search: Search):
    """*:* gives every document the same score."""
    result = search(q="*:*", fl="name score")
    assert {doc["score"] for doc in result.docs} == {1.0}


# -- returned fields -------------------------------------------------------

def test_fl_selects_fields(search: Search):
    """fl lists the returned fields."""
    assert search(q="name:dechetteries", fl="name,title").docs == [
        {"name": "dechetteries", "title": "Horaires des déchetteries"}]


def test_fl_returns_the_data_dicts(search: Search, doc_named):
    """data_dict and validated_data_dict come back verbatim."""
    doc = search(q="name:dechetteries", fl="id validated_data_dict").docs[0]
    assert json.loads(doc["validated_data_dict"]) == json.loads(
        doc_named("dechetteries")["validated_data_dict"])
    assert set(doc) == {"id", "validated_data_dict"}


def test_fl_star_returns_only_stored_fields(search: Search):
    """fl=* returns stored fields but never stored=false ones."""
    doc = search(q="name:equipements-sportifs", fl="*").docs[0]
    assert {"id", "name", "tags", "res_format", "extras_theme", "vocab_themes", "data_dict",
            "validated_data_dict", "indexed_ts", "metadata_modified"} <= set(doc)
    assert not {"permission_labels", "title_string", "text", "theme", "views_total"} & set(doc)


def test_fl_glob(search: Search):
    """A glob in fl selects matching stored fields."""
    assert search(q="name:equipements-sportifs", fl="name extras_*").docs == [
        {"name": "equipements-sportifs", "extras_theme": "Sport et loisirs"}]


def test_fl_score(search: Search):
    """score in fl adds the relevance score."""
    doc = search(q="gymnases", fl="name score").docs[0]
    assert doc["name"] == "equipements-sportifs" and doc["score"] > 0


def test_multivalued_stored_fields_are_lists(search: Search):
    """Multi-valued fields come back as lists, as sent."""
    assert search(q="name:deliberations-conseil", fl="res_format").docs == [{"res_format": ["PDF", "PDF"]}]


# -- what core sends -------------------------------------------------------

def test_core_package_search_query(conn):
    """The full parameter set core's package_search sends for a UI search works."""
    result = engine.search(
        conn, q="conseil", fq=[f'+capacity:public  +state:(active)', f'+site_id:"{SITE_ID}"',
                               '+permission_labels:("public")'],
        rows=21, start=0, sort="score desc, metadata_modified desc", fl="id validated_data_dict",
        facet="true", **{"facet.field": ["organization", "groups", "tags", "res_format", "license_id"],
                         "facet.limit": 50, "facet.mincount": 1}, wt="json", **DISMAX)
    assert result.hits == 2
    assert [json.loads(doc["validated_data_dict"])["name"] for doc in result.docs] == [
        "deliberations-conseil", "budget-primitif-2024"]
    assert result.facets["facet_fields"]["groups"] == ["finances-publiques", 2]


def test_core_get_index_query(conn, doc_named):
    """Core's get_index query finds a dataset by name or id."""
    package_id = doc_named("dechetteries")["id"]
    for reference in ("dechetteries", package_id):
        result = engine.search(conn, rows=1, q=f'name:"{reference}" OR id:"{reference}"', wt="json",
                               fq=f'+site_id:"{SITE_ID}" +entity_type:package')
        assert (result.hits, result.docs[0]["id"]) == (1, package_id)


def test_core_get_all_entity_ids_query(conn):
    """Core's get_all_entity_ids query lists ids of active datasets of the site."""
    result = engine.search(conn, q="*:*", fq=f'+site_id:"{SITE_ID}" +state:active ', rows=1000, fl="id")
    assert len(result.docs) == 7 and all(set(doc) == {"id"} for doc in result.docs)


def test_core_ignored_parameters_are_accepted(search: Search):
    """fq_list and extras, which core leaves in the query, are accepted and ignored."""
    assert search(q="*:*", fq_list=["+tags:nothing"], extras={}).hits == 7


@pytest.mark.parametrize("params", [
    {"hl": "true"}, {"defType": "edismax"}, {"bf": "recip(ms(NOW,metadata_modified),1,1,1)"},
    {"q.op": "XOR"}, {"rows": -1}, {"start": "x"}, {"facet.limit": "many", "facet": "true"},
    {"fl": "[child]"}, {"facet": "maybe"}, {"qf": "name^^2", "defType": "dismax"},
    {"mm": "most", "defType": "dismax"}, {"fq": 3}, {"fl": 3}, {"wt": "xml"},
    {"tie": "strong", "defType": "dismax"},
])
def test_unsupported_parameters_are_rejected(conn, params: dict[str, Any]):
    """Unknown parameters and unsupported values raise SearchQueryError."""
    with pytest.raises(SearchQueryError):
        engine.search(conn, q="conseil", **params)


def test_result_behaves_like_pysolr_results(search: Search):
    """The result has len() and iterates over its documents, like pysolr's Results."""
    result = search(q="name:dechetteries")
    assert len(result) == 1 and list(result) == result.docs
