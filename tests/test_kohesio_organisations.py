"""Kohesio's beneficiaries as organisations: one record per beneficiary id, its Wikidata item as
a strong key, and the Latin transliteration of a Cyrillic or Greek name as an alias."""

from __future__ import annotations

import csv
import re

from conftest import DATA, TODAY, _need, shared_data_dir
from euprojects.importers import open_reader
from euprojects.model import Member as M
from euprojects.model import (
    Organisation,
    cluster,
    fold,
    match_keys,
    same_organisation,
    transliterate,
)

BG = DATA / "kohesio" / "BG-pp21-27-20260924.csv"
P2127 = DATA / "kohesio" / "IE-pp21-27-20260924.csv"


def org(oid: str, name: str, country: str | None = "BG", city: str | None = None,
        **fields: str) -> Organisation:
    return Organisation(id=oid, name=name, country=country, city=city, **fields)


def test_transliteration_follows_the_bulgarian_system_kohesio_uses():
    """Every Bulgarian name of the real beneficiary list is written as Kohesio writes it,
    but for the two places where Kohesio's transliterator departs from the Bulgarian
    Transliteration Act: a word-final -ия is -ia by the Act (Kohesio: -iya), and ь is y
    (Kohesio leaves the letter)."""
    path = _need(shared_data_dir() / "kohesio" / "beneficiaries_api_2023-01.tsv")
    rows = 0
    with path.open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row[0] != "Bulgaria" or not row[6]:
                continue
            rows += 1
            theirs = re.sub(r"iya\b", "ia", fold(row[6]).replace("ь", "y"))
            assert fold(transliterate(row[2])) == theirs, row[2]
    assert rows == 3646


def test_greek_names_follow_elot_743():
    assert transliterate("Δήμος Αθηναίων") == "Dimos Athinaion"
    assert transliterate("Πανεπιστήμιο Πατρών") == "Panepistimio Patron"
    assert transliterate("ΕΥΡΩΠΑΪΚΗ ΑΥΤΟΚΙΝΗΣΗ") == "EVROPAIKI AFTOKINISI"
    assert transliterate("Μπάμπης") == "Bampis"
    assert transliterate("Uppsala universitet") == "Uppsala universitet"


def test_the_same_wikidata_item_links_and_two_items_keep_apart():
    a = org("a", "Jagiellonian University", country="PL", wikidata="Q23456")
    b = org("b", "UNIWERSYTET JAGIELLOŃSKI", country="PL", city="Kraków",
            wikidata="http://www.wikidata.org/entity/Q23456")
    assert same_organisation(a, b).rule == "wikidata"
    assert "wikidata:Q23456" in match_keys(b)
    # the same name in the same town, but two Wikidata items: two bodies
    c = org("c", "Municipality of Petrich", city="Petrich", wikidata="Q1")
    d = org("d", "Municipality of Petrich", city="Petrich", wikidata="Q2")
    assert same_organisation(c, d) is None
    groups, _ = cluster([M("c", c, (1, "c")), M("d", d, (2, "d"))])
    assert groups["c"] != groups["d"]
    # a PIC still outranks: two items with one PIC are one body
    assert same_organisation(org("e", "X", pic="999999999", wikidata="Q1"),
                             org("f", "Y", pic="999999999", wikidata="Q2")).rule == "pic"


def test_a_municipality_without_a_town_is_in_the_town_its_name_gives():
    """Kohesio names no beneficiary's town: ``Община Петрич`` (transliterated ``Obshtina
    Petrich``, a municipality) is the keep.eu partner "Municipality of Petrich" in Petrich,
    and not the one of Sandanski nor a school in Petrich."""
    kohesio = org("k", "Община Петрич")
    assert same_organisation(kohesio, org("p", "Municipality of Petrich", city="Petrich")).rule \
        == "name"
    assert same_organisation(kohesio, org("s", "Municipality of Sandanski",
                                          city="Sandanski")) is None
    assert same_organisation(kohesio, org("u", "Nachalno uchilishte Petrich",
                                          city="Petrich")) is None
    assert same_organisation(kohesio, org("o", "Municipality of Petrich", country="GR",
                                          city="Petrich")) is None
    # a company without a town still gets no name key, only the key of its name in its
    # country (rule site)
    assert {k.split(":")[0] for k in match_keys(org("c", "КАБРОН И ПЕКЕНЬО ООД"))} == {"site"}


def test_a_beneficiary_is_one_record_with_its_ids_and_its_transliteration():
    records = list(open_reader("kohesio", BG, today=TODAY))
    petrich = [o for r in records for o in r.organisations if o.name == "Община Петрич"]
    assert petrich, "the fixture's Petrich operation"
    record = petrich[0]
    assert (record.source_id, record.wikidata) == ("Q900000701", "Q34567")
    assert "Obshtina Petrich" in [n.text for n in record.other_names]
    assert len({o.id for o in petrich}) == 1  # one record per beneficiary id
    seai = [o for r in open_reader("kohesio", P2127, today=TODAY) for o in r.organisations
            if o.name == "SEAI"]
    assert seai[0].wikidata == "Q12345" and seai[0].website == "https://www.seai.ie"
    # a record without the new ids keeps its stored form (and content hash)
    assert "wikidata" not in org("x", "Acme").to_dict()
    assert Organisation.from_dict(record.to_dict()) == record


def test_an_organisation_page_links_the_wikidata_item_and_the_kohesio_beneficiary(catalog):
    from starlette.testclient import TestClient

    from euprojects.web import create_app

    catalog.import_files("kohesio", [BG])
    with TestClient(create_app(catalog)) as client:
        project = client.get("/fr/projects/kohesio:Q900000601").text
        link = re.search(r'href="(/fr/organisations/org:[0-9a-f]+)">Община Петрич<', project)
        assert link, "the beneficiary links to its organisation page"
        page = client.get(link.group(1)).text
    assert 'href="https://www.wikidata.org/wiki/Q34567"' in page
    assert "Bénéficiaire sur Kohesio" in page
    assert 'href="https://linkedopendata.eu/entity/Q900000701"' in page
    assert "Obshtina Petrich" in page  # the transliteration, as another name
