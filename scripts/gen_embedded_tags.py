"""Generate functions/imagemeta/data/embedded_{exif,iptc,xmp}.json: ExifTool's names and print conversions.

Source: `exiftool -listx` (ExifTool 12.57 here) for every tag's ID, name, type, count and value table
(`<values>`: a print conversion that is a lookup). -listx leaves out what the embeddedMetadata reader also
needs, so the same ExifTool install's Perl tables supply it (PERL_SUPPLEMENT below): tag priorities, list
and structure flags, XMP namespace URIs, bit-mask tables, and which tags convert with Perl code (those
conversions are ported by hand in imagemeta/embedded/ports/, each naming its ExifTool source).

Usage: .venv/bin/python scripts/gen_embedded_tags.py   (`make golden-embedded`)
"""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "functions" / "imagemeta" / "data"
# family -> (exiftool -listx group argument, the ExifTool tables of that family)
FAMILIES = {
    "exif": ("-EXIF:All", ["Exif::Main", "GPS::Main"]),
    "iptc": ("-IPTC:All", ["IPTC::EnvelopeRecord", "IPTC::ApplicationRecord", "IPTC::NewsPhoto",
                           "IPTC::PreObjectData", "IPTC::ObjectData", "IPTC::PostObjectData"]),
    "xmp": ("-XMP:All", None),  # every table with a namespace
}
# The IPTC record number of each IPTC table (IPTC::Main's SubDirectory entries).
IPTC_RECORDS = {"IPTC::EnvelopeRecord": 1, "IPTC::ApplicationRecord": 2, "IPTC::NewsPhoto": 3,
                "IPTC::PreObjectData": 7, "IPTC::ObjectData": 8, "IPTC::PostObjectData": 9}

# Prints one JSON document: for each table named on the command line (or every XMP namespace table with
# "XMP"), its PRIORITY and NAMESPACE and, per tag ID, what -listx does not show.
PERL_SUPPLEMENT = r"""
use strict; use Image::ExifTool; use Image::ExifTool::XMP; use JSON::PP;
require 'Image/ExifTool/XMPStruct.pl';
my @names = @ARGV; my %out;
if ($names[0] eq 'XMP') {
    @names = ();
    no strict 'refs';
    for my $ns (sort keys %Image::ExifTool::XMP::Main) {
        my $info = $Image::ExifTool::XMP::Main{$ns};
        next unless ref $info eq 'HASH' and $$info{SubDirectory} and $$info{SubDirectory}{TagTable};
        push @names, $$info{SubDirectory}{TagTable};
    }
    $out{_namespaces} = { %Image::ExifTool::XMP::nsURI };
}
for my $full (@names) {
    $full = "Image::ExifTool::$full" unless $full =~ /^Image::ExifTool::/;
    my $table = Image::ExifTool::GetTagTable($full) or next;
    (my $short = $full) =~ s/^Image::ExifTool:://;
    Image::ExifTool::XMP::AddFlattenedTags($table) if $short =~ /^XMP::|::XMP$|^(MWG|PLUS|DarwinCore)::/;
    my %tags;
    for my $id (Image::ExifTool::TagTableKeys($table)) {
        my @list = ref $$table{$id} eq 'ARRAY' ? @{$$table{$id}} : ($$table{$id});
        my @infos;
        for my $info (@list) {
            next unless ref $info eq 'HASH';
            my %t = (name => $$info{Name});
            $t{condition} = JSON::PP::true if $$info{Condition};
            $t{priority} = $$info{Priority} + 0 if defined $$info{Priority};
            $t{avoid} = JSON::PP::true if $$info{Avoid};
            $t{list} = $$info{List} eq '1' ? 'List' : $$info{List} if $$info{List};
            $t{binary} = JSON::PP::true if $$info{Binary};
            $t{format} = $$info{Format} if $$info{Format};
            $t{writable} = $$info{Writable} if $$info{Writable} and $$info{Writable} ne '1';
            $t{struct} = JSON::PP::true if $$info{Struct};
            $t{flat} = $$info{FlatName} if defined $$info{FlatName};
            $t{subdirectory} = JSON::PP::true if $$info{SubDirectory};
            $t{offset} = JSON::PP::true if $$info{IsOffset};
            # Conversions written as Perl: the expression text (or the tag's name for a code reference),
            # which imagemeta/embedded/ports/ maps to its Python port.
            for my $conv (qw(RawConv ValueConv PrintConv)) {
                my $c = $$info{$conv};
                next if not defined $c or ref $c eq 'HASH';
                my $key = lc substr($conv, 0, -4);
                if (ref $c eq 'ARRAY') {
                    my @lookups;
                    for my $item (@$c) {
                        my %lookup;
                        if (ref $item eq 'HASH') { $lookup{$_} = $$item{$_} for grep { !ref $$item{$_} } keys %$item; }
                        push @lookups, \%lookup;
                    }
                    $t{print_list} = \@lookups;
                } elsif (ref $c) {
                    $t{$key} = "sub $short:$$info{Name}";
                } else {
                    ($t{$key} = $c) =~ s/^\s+|\s+$//g;
                    $t{$key} =~ s/\s+/ /g;
                }
            }
            my $pc = $$info{PrintConv};
            if (ref $pc eq 'HASH') {
                $t{other} = "sub $short:$$info{Name}" if $$pc{OTHER};
                $t{hex} = JSON::PP::true if $$info{PrintHex};
                $t{bitmask} = { map { $_ => $$pc{BITMASK}{$_} } keys %{$$pc{BITMASK}} } if $$pc{BITMASK};
                # keys -listx shows under another spelling (and the whole table, for the join check)
                $t{lookup} = { map { $_ => $$pc{$_} } grep { !/^(OTHER|BITMASK|Notes|PrintHex|PrintSort|PrintString)$/ and !ref $$pc{$_} } keys %$pc };
            }
            push @infos, \%t;
        }
        $tags{$id} = \@infos if @infos;
    }
    $out{$short} = { priority => $$table{PRIORITY}, namespace => (ref $$table{NAMESPACE} ? undef : $$table{NAMESPACE}), tags => \%tags };
}
print JSON::PP->new->canonical->encode(\%out);
"""


def listx(group: str) -> ET.Element:
    """exiftool -listx for one family, English only."""
    out = subprocess.run(["exiftool", "-lang", "en", "-listx", group], check=True, capture_output=True).stdout
    return ET.fromstring(out)


def perl(tables: list[str]) -> dict:
    """The Perl supplement for these tables (or every XMP namespace table for ["XMP"])."""
    command = ["perl", "-e", PERL_SUPPLEMENT, *tables]
    return json.loads(subprocess.run(command, check=True, capture_output=True).stdout)


# Of an ID with conditional variants, the first is the one ExifTool uses in the usual IFDs (ThumbnailOffset
# in IFD1, SubIFD), except StripOffsets and StripByteCounts, whose first is one Minolta model's byte-swapped
# reading: their general variant is the third.
PREFERRED_VARIANT = {("Exif::Main", "273"): 2, ("Exif::Main", "279"): 2}


def pick(variants: list[dict], table: str, tag_id: str) -> dict:
    """The variant of a conditional ID that the embeddedMetadata reader uses."""
    return variants[PREFERRED_VARIANT.get((table, tag_id), 0)]


def tag_entry(element: ET.Element, extra: dict) -> dict:
    """One tag: -listx's name, type, count and values, with the supplement's flags."""
    entry: dict = {"name": element.get("name")}
    values = element.find("values")
    if values is not None:
        entry["values"] = {key.get("id"): key.find("val").text or "" for key in values.iterfind("key")}
    for attribute in ("type", "count"):
        if element.get(attribute) not in (None, "?"):
            entry[attribute] = element.get(attribute)
    for key in ("priority", "avoid", "list", "binary", "format", "struct", "flat", "subdirectory", "offset", "raw", "value",
                "print", "print_list", "other", "hex", "bitmask"):
        if key in extra:
            entry[key] = extra[key]
    # -listx prints a lookup's keys as they compare in Perl; keep the table's own when -listx has none.
    if "values" not in entry and extra.get("lookup"):
        entry["values"] = extra["lookup"]
    return entry


def family_tables(root: ET.Element, wanted: list[str] | None, supplement: dict) -> dict[str, dict]:
    """{table name: {tag id: entry}} joining -listx's tags to the supplement by table and ID."""
    tables: dict[str, dict] = {}
    for table in root.iterfind("table"):
        name = table.get("name")
        if name not in supplement or (wanted is not None and name not in wanted):
            continue
        seen: dict[str, list[ET.Element]] = {}
        for element in table.iterfind("tag"):
            seen.setdefault(element.get("id"), []).append(element)
        tags = {}
        for tag_id, elements in seen.items():
            variants = supplement[name]["tags"].get(tag_id, [])
            extra = pick(variants, name, tag_id) if variants else {}
            element = next((e for e in elements if e.get("name") == extra.get("name")), elements[0])
            tags[tag_id] = tag_entry(element, extra)
        # -listx omits tags that only point at sub-directories; the supplement names them (never printed).
        tables[name] = tags
    return tables


def exif_family(root: ET.Element) -> dict:
    supplement = perl(FAMILIES["exif"][1])
    tables = family_tables(root, FAMILIES["exif"][1], supplement)
    return {"exif": _hex_ids(tables["Exif::Main"]), "gps": _hex_ids(tables["GPS::Main"])}


def _hex_ids(tags: dict) -> dict:
    return {f"0x{int(tag_id):04X}": entry for tag_id, entry in sorted(tags.items(), key=lambda kv: int(kv[0]))}


def iptc_family(root: ET.Element) -> dict:
    supplement = perl(FAMILIES["iptc"][1])
    tables = family_tables(root, FAMILIES["iptc"][1], supplement)
    return {f"{IPTC_RECORDS[table]}:{tag_id}": entry
            for table, tags in tables.items() for tag_id, entry in tags.items()}


def xmp_family(root: ET.Element) -> dict:
    supplement = perl(["XMP"])
    tables = family_tables(root, None, supplement)
    namespaces: dict[str, dict] = {}
    for name, tags in tables.items():
        prefix = supplement[name]["namespace"]
        if not prefix:
            continue
        priority = supplement[name]["priority"]
        namespace = namespaces.setdefault(prefix, {"tags": {}})
        if priority is not None:
            namespace["priority"] = priority
        namespace["tags"].update(tags)
    uris = supplement["_namespaces"]
    return {
        "uris": {uri: prefix for prefix, uri in sorted(uris.items()) if prefix in namespaces or prefix in ("x", "rdf")},
        "namespaces": dict(sorted(namespaces.items())),
    }


def main() -> None:
    version = subprocess.run(["exiftool", "-ver"], check=True, capture_output=True, text=True).stdout.strip()
    builders = {"exif": exif_family, "iptc": iptc_family, "xmp": xmp_family}
    for family, (group, _) in FAMILIES.items():
        document = {
            "_source": {
                "exiftool": version,
                "command": f"exiftool -lang en -listx {group}",
                "supplement": "the same ExifTool's Perl tables (scripts/gen_embedded_tags.py, PERL_SUPPLEMENT)",
            },
            **builders[family](listx(group)),
        }
        path = DATA / f"embedded_{family}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
                        encoding="utf-8")
        sys.stdout.write(f"wrote {path} ({path.stat().st_size // 1024} KB)\n")


if __name__ == "__main__":
    main()
