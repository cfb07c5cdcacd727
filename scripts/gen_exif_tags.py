"""Generate functions/imagemeta/data/exif_tags.json, the tag-ID -> ExifTool-name table, from exiftool.

`exiftool -listx` leaves out the tags that point at sub-directories (ExifOffset, GPSInfo, InteropOffset...),
so the IDs it does not list are named from the same ExifTool install's Perl tables.
"""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "functions" / "imagemeta" / "data" / "exif_tags.json"
# table key in the JSON -> (exiftool -listx group argument, ExifTool table name)
SOURCES = {
    "exif": ("-EXIF:All", "Exif::Main"),
    "gps": ("-GPS:All", "GPS::Main"),
    "olympus": ("-Olympus:All", "Olympus::Main"),
    "fujifilm": ("-FujiFilm:All", "FujiFilm::Main"),
    "panasonic": ("-Panasonic:All", "Panasonic::Main"),
    "sanyo": ("-Sanyo:All", "Sanyo::Main"),
}
# Prints "id<TAB>name" for every numeric ID of one ExifTool table: of a conditional list, the first
# entry without a Condition (ExifTool's fallback), else the first.
PERL_TABLE = r"""
my ($module, $table) = @ARGV; eval "require Image::ExifTool::$module" or die $@;
no strict "refs"; my $tags = \%{"Image::ExifTool::${module}::$table"};
for my $id (grep /^\d+$/, keys %$tags) {
    my @list = ref $tags->{$id} eq "ARRAY" ? @{$tags->{$id}} : ($tags->{$id});
    my ($info) = ((grep { ref $_ ne "HASH" or !$_->{Condition} } @list), @list);
    print "$id\t", (ref $info eq "HASH" ? $info->{Name} : $info), "\n";
}
"""
# ExifTool names 0x927C after the maker it detects (MakerNoteCanon, ...); we use its generic name.
# For 0x014A -listx shows only the Sony-ARW variant (A100DataOffset), not the usual SubIFD.
OVERRIDES = {"exif": {0x927C: "MakerNote", 0x014A: "SubIFD"}}


def table_names(key: str) -> dict[int, str]:
    """ID -> name for one ExifTool table; a conditional ID keeps its first (default-IFD) name."""
    group, table = SOURCES[key]
    root = ET.fromstring(subprocess.run(["exiftool", "-listx", group], check=True, capture_output=True).stdout)
    names: dict[int, str] = {}
    for element in root.iterfind(f"table[@name='{table}']/tag"):
        names.setdefault(int(element.get("id")), element.get("name"))
    module, perl_table = table.split("::")
    command = ["perl", "-MImage::ExifTool", "-e", PERL_TABLE, module, perl_table]
    perl = subprocess.run(command, check=True, capture_output=True, text=True)
    for line in perl.stdout.splitlines():
        tag_id, name = line.split("\t")
        names.setdefault(int(tag_id), name)
    names.update(OVERRIDES.get(key, {}))
    return dict(sorted(names.items()))


def main() -> None:
    """Write the JSON table with the command and exiftool version that made it."""
    version = subprocess.run(["exiftool", "-ver"], check=True, capture_output=True, text=True).stdout.strip()
    document: dict = {
        "_source": {
            "exiftool": version,
            "commands": [f"exiftool -listx {group}  (table {table})" for group, table in SOURCES.values()],
            "supplement": "IDs -listx omits: first name in the Perl table of the same ExifTool (see PERL_TABLE)",
        }
    }
    for key in SOURCES:
        document[key] = {f"0x{tag_id:04X}": name for tag_id, name in table_names(key).items()}
    OUTPUT.write_text(json.dumps(document, indent=1) + "\n")
    sys.stdout.write(f"wrote {OUTPUT} ({', '.join(f'{k}: {len(document[k])}' for k in SOURCES)})\n")


if __name__ == "__main__":
    main()
