"""The suite's DCAT profile: governance, territory, licence and provenance, both ways."""
from __future__ import annotations

from typing import Any, Iterator, Optional

import ckan.plugins.toolkit as tk
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, SKOS, XSD, Namespace

from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.utils import dataset_uri, resource_uri
from ckanext.suite import licences
from ckanext.suite_dcat import lookups, vocabulary

__all__ = ["SuiteDcatProfile"]

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
PROV = Namespace("http://www.w3.org/ns/prov#")

#: Where ``parse_dataset`` leaves a harvested record's provenance for the harvester.
PROVENANCE_KEY = "suite_provenance"


class SuiteDcatProfile(RDFProfile):
    """Runs after ``euro_dcat_ap_3`` and replaces what it says of frequency, dates,
    contact, territory and licence with what the portal knows."""

    # -- writing ------------------------------------------------------------------------

    def graph_from_catalog(self, catalog_dict: Any, catalog_ref: Any) -> None:
        """What DCAT-AP 3 requires of the catalogue and ckanext-dcat leaves out or gives
        as text: a description, a publisher, the language and homepage as typed URIs."""
        title = tk.config.get("ckan.site_title") or ""
        if (catalog_ref, DCT.description, None) not in self.g:
            self.g.add((catalog_ref, DCT.description, Literal(title)))
        if (catalog_ref, DCT.publisher, None) not in self.g:
            publisher = URIRef(f"{catalog_ref}#publisher")
            self.g.add((catalog_ref, DCT.publisher, publisher))
            self.g.add((publisher, RDF.type, FOAF.Agent))
            self.g.add((publisher, FOAF.name, Literal(title)))
        language = vocabulary.language_uri(tk.config.get("ckan.locale_default"))
        if language:
            self._replace(catalog_ref, DCT.language, URIRef(language), DCT.LinguisticSystem)
        for homepage in self.g.objects(catalog_ref, FOAF.homepage):
            self.g.add((homepage, RDF.type, FOAF.Document))

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        self._write_frequency(dataset_dict, dataset_ref)
        self._write_modified(dataset_dict, dataset_ref)
        self._write_contact(dataset_dict, dataset_ref)
        self._write_spatial(dataset_dict, dataset_ref)
        self._write_distributions(dataset_dict)
        self._write_provenance(dataset_dict, dataset_ref)

    def _replace(self, subject: Any, predicate: Any, value: Any, kind: Any = None) -> None:
        self.g.remove((subject, predicate, None))
        self.g.add((subject, predicate, value))
        if kind is not None:
            self.g.add((value, RDF.type, kind))

    def _write_frequency(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        uri = vocabulary.frequency_uri(dataset_dict.get("update_frequency"))
        if uri:
            self._replace(dataset_ref, DCT.accrualPeriodicity, URIRef(uri), DCT.Frequency)

    def _write_modified(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        value = dataset_dict.get("last_data_update")
        if isinstance(value, str) and len(value) >= 10:
            self._replace(dataset_ref, DCT.modified, Literal(value[:10], datatype=XSD.date))

    def _write_contact(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        # ckanext-dcat's contact comes from the maintainer's or author's address: a
        # person's. The owner service's mailbox replaces it, or no contact at all.
        for contact in list(self.g.objects(dataset_ref, DCAT.contactPoint)):
            self.g.remove((dataset_ref, DCAT.contactPoint, contact))
            self.g.remove((contact, None, None))
        service = lookups.service(dataset_dict)
        if not service or not service["title"]:
            return
        contact = BNode()
        self.g.add((dataset_ref, DCAT.contactPoint, contact))
        self.g.add((contact, RDF.type, VCARD.Organization))
        # DCAT-AP's shapes ask for vcard:Kind and validators do not infer superclasses.
        self.g.add((contact, RDF.type, VCARD.Kind))
        self.g.add((contact, VCARD.fn, Literal(service["title"])))
        if service["email"]:
            self.g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{service['email']}")))

    def _write_spatial(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        uri = vocabulary.territory_uri(dataset_dict.get("territorial_level"),
                                       dataset_dict.get("territory_code"))
        if uri:
            self.g.add((dataset_ref, DCT.spatial, URIRef(uri)))
            self.g.add((URIRef(uri), RDF.type, DCT.Location))

    def _write_distributions(self, dataset_dict: dict[str, Any]) -> None:
        licence = licences.eu_uri(dataset_dict.get("license_id"))
        for resource in dataset_dict.get("resources", []):
            distribution = URIRef(resource_uri(resource))
            if licence:
                self._replace(distribution, DCT.license, URIRef(licence), DCT.LicenseDocument)
            schema = resource.get("conforms_to")
            if isinstance(schema, str) and schema.startswith(("http://", "https://")):
                self._replace(distribution, DCT.conformsTo, URIRef(schema), DCT.Standard)
            self._write_format(distribution, resource)

    def _write_format(self, distribution: Any, resource: dict[str, Any]) -> None:
        """Format and media type as the URIs DCAT-AP expects instead of ckanext-dcat's text."""
        self.g.remove((distribution, DCT["format"], None))
        self.g.remove((distribution, DCAT.mediaType, None))
        file_type = vocabulary.file_type_uri(resource.get("format"))
        if file_type:
            self._replace(distribution, DCT["format"], URIRef(file_type), DCT.MediaTypeOrExtent)
        media_type = vocabulary.media_type_uri(resource.get("mimetype"))
        if media_type:
            self._replace(distribution, DCAT.mediaType, URIRef(media_type), DCT.MediaType)
        for predicate in (DCAT.accessURL, DCAT.downloadURL):
            for url in self.g.objects(distribution, predicate):
                self.g.add((url, RDF.type, RDFS.Resource))

    def _write_provenance(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        provenance = lookups.provenance(dataset_dict)
        if not provenance:
            return
        if provenance.get("remote_url"):
            self.g.add((dataset_ref, DCT.source, URIRef(provenance["remote_url"])))
        if provenance.get("identifier"):
            identifier = BNode()
            self.g.add((dataset_ref, ADMS.identifier, identifier))
            self.g.add((identifier, RDF.type, ADMS.Identifier))
            self.g.add((identifier, SKOS.notation, Literal(provenance["identifier"])))
        canonical = provenance.get("canonical_package_id")
        if canonical and canonical != dataset_dict["id"]:
            # A mirror names the copy the portal keeps as canonical.
            self.g.add((dataset_ref, PROV.alternateOf, URIRef(dataset_uri({"id": canonical}))))

    # -- reading ------------------------------------------------------------------------

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        code = vocabulary.frequency_code(self._value(dataset_ref, DCT.accrualPeriodicity))
        if code:
            dataset_dict["update_frequency"] = code
        modified = self._value(dataset_ref, DCT.modified)
        if modified and len(modified) >= 10:
            dataset_dict["last_data_update"] = modified[:10]
        for spatial in self.g.objects(dataset_ref, DCT.spatial):
            territory = vocabulary.territory_of(str(spatial))
            if territory:
                dataset_dict["territorial_level"], dataset_dict["territory_code"] = territory
                break
        licence = licences.map_licence(*self._licences(dataset_ref))
        if licence and licence != licences.NOT_SPECIFIED:
            dataset_dict["license_id"] = licence
        self._parse_schemas(dataset_dict, dataset_ref)
        self._parse_provenance(dataset_dict, dataset_ref)
        return dataset_dict

    def _value(self, subject: Any, predicate: Any) -> Optional[str]:
        value = self.g.value(subject, predicate)
        return str(value) if value is not None else None

    def _licences(self, dataset_ref: Any) -> Iterator[str]:
        yield from (str(value) for value in self.g.objects(dataset_ref, DCT.license))
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            yield from (str(value) for value in self.g.objects(distribution, DCT.license))

    def _parse_schemas(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        by_uri = {resource.get("uri"): resource for resource in dataset_dict.get("resources", [])}
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            resource = by_uri.get(str(distribution))
            schema = self._value(distribution, DCT.conformsTo)
            if resource is not None and schema:
                resource["conforms_to"] = schema

    def _parse_provenance(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        provenance = {"source": self._value(dataset_ref, DCT.source),
                      "identifier": None,
                      "alternate_of": self._value(dataset_ref, PROV.alternateOf)}
        for identifier in self.g.objects(dataset_ref, ADMS.identifier):
            provenance["identifier"] = self._value(identifier, SKOS.notation)
            break
        if any(provenance.values()):
            dataset_dict[PROVENANCE_KEY] = provenance
