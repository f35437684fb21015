"""Whether a partner listed every dataset it announced: a short listing is no complete gather."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk

from ckanext.territorial_consolidation.harvesters.http import HarvestFetchError

__all__ = ["IncompleteListing", "ListingCount", "empty_listing"]


class IncompleteListing(HarvestFetchError):
    """The partner listed fewer datasets than it announced. Raised once the listing is
    read to its end: what was listed is still imported, but the gather is not complete,
    so no dataset is marked missing nor withdrawn on the word of a short listing."""


class ListingCount:
    """Counts the distinct datasets of a paged listing against the total it announces
    (CKAN's ``count``, udata's ``total``, ODS's ``total_count``, Hydra's ``totalItems``).

    A partner that answers empty pages before its total, stops its paging early or
    repeats datasets across pages lists fewer distinct datasets than it announces.
    Every record of the listing counts, including those the harvester skips (private,
    deleted), since the partner counted them too.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.announced: Optional[int] = None
        self._ids: set[str] = set()
        self._anonymous = 0

    def announce(self, total: Any) -> None:
        """The total a page announces; the largest one is kept (a page may omit it)."""
        if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
            self.announced = max(self.announced or 0, total)

    def saw(self, remote_id: Any) -> None:
        """One record of the listing, by its remote id (None when it has none)."""
        if remote_id:
            self._ids.add(str(remote_id))
        else:
            self._anonymous += 1

    @property
    def listed(self) -> int:
        return len(self._ids) + self._anonymous

    def short(self) -> IncompleteListing:
        """The error of a listing that ended before its announced total."""
        return IncompleteListing(tk._(
            "Incomplete listing: the partner announced {announced} datasets but listed "
            "{listed} distinct ones. The datasets listed were imported; none was marked "
            "missing nor withdrawn.").format(announced=self.announced, listed=self.listed),
            self.url)

    def stopped_before(self, last_page: str) -> IncompleteListing:
        """The error of a paging that ended without reaching the last page it announced."""
        return IncompleteListing(tk._(
            "Incomplete listing: the paging stopped before the last page the partner "
            "announces ({last}). The {listed} datasets listed were imported; none was "
            "marked missing nor withdrawn.").format(last=last_page, listed=self.listed),
            self.url)

    def check(self) -> None:
        """At the end of the listing: raise :class:`IncompleteListing` when it was short."""
        if self.announced is not None and self.listed < self.announced:
            raise self.short()


def empty_listing(published: int) -> str:
    """The job error of a gather that listed nothing while the source has ``published``
    datasets: an emptied partner, or an empty answer, withdraws nothing. Withdrawing
    every dataset of a source is done by clearing the source."""
    return tk._("The partner listed no dataset while {published} harvested from it are "
                "published here: nothing was marked missing nor withdrawn. If the partner "
                "really emptied its catalogue, clear the harvest source.").format(
                    published=published)
