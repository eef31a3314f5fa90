"""The static Namibian content of the demo data: towns, categories, names, services, reviews.

Every string here is plain text with no tab, newline or backslash: the loader writes them
straight into COPY's text format (the demo tests check this). Prices are whole Namibian
dollars (the loader rounds and turns them into Decimal with 2 places).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

# ---------------------------------------------------------------- towns and places


@dataclass(frozen=True)
class Town:
    name: str
    region: str
    latitude: float
    longitude: float
    weight: float  # share of the businesses (relative)
    coastal: bool  # the sea is to the west: businesses are placed inland of the centre
    short: str  # what people call it ("Swakop")


# Windhoek gets the most businesses, then the coast and the north; every town some.
TOWN_WEIGHTS = {
    "Windhoek": 30.0, "Walvis Bay": 8.0, "Swakopmund": 7.5, "Oshakati": 5.0, "Ondangwa": 4.0,
    "Rundu": 3.8, "Katima Mulilo": 3.2, "Keetmanshoop": 2.6, "Otjiwarongo": 2.4, "Lüderitz": 1.7,
    "Ongwediva": 1.6, "Okahandja": 1.5, "Rehoboth": 1.5, "Gobabis": 1.5, "Tsumeb": 1.5,
    "Grootfontein": 1.2, "Mariental": 1.2, "Eenhana": 1.0, "Outapi": 1.0, "Henties Bay": 1.0,
    "Oshikango": 0.8, "Oranjemund": 0.8, "Opuwo": 0.8, "Outjo": 0.8, "Omaruru": 0.8,
    "Omuthiya": 0.6, "Karasburg": 0.6, "Karibib": 0.5, "Usakos": 0.5, "Arandis": 0.5,
    "Otavi": 0.5, "Okakarara": 0.5, "Nkurenkuru": 0.5, "Rosh Pinah": 0.5, "Khorixas": 0.5,
    "Okahao": 0.4, "Ruacana": 0.4, "Divundu": 0.4, "Otjinene": 0.3, "Aranos": 0.3, "Kamanjab": 0.3,
}
COASTAL_TOWNS = frozenset({"Walvis Bay", "Swakopmund", "Henties Bay", "Lüderitz", "Oranjemund"})
SHORT_NAMES = {"Swakopmund": "Swakop", "Walvis Bay": "Walvis", "Keetmanshoop": "Keetmans",
               "Katima Mulilo": "Katima", "Otjiwarongo": "Otjiwarongo"}


@cache
def towns() -> tuple[Town, ...]:
    """The towns of namibia_towns.csv (a copy of shared/data), with their weights."""
    text = resources.files(__package__).joinpath("namibia_towns.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        Town(r["town"], r["region"], float(r["latitude"]), float(r["longitude"]),
             TOWN_WEIGHTS.get(r["town"], 0.3), r["town"] in COASTAL_TOWNS,
             SHORT_NAMES.get(r["town"], r["town"]))
        for r in rows
    )


WINDHOEK_SUBURBS = (
    "Katutura", "Khomasdal", "Klein Windhoek", "Eros", "Olympia", "Pionierspark", "Wanaheda",
    "Otjomuise", "Hochland Park", "Ludwigsdorf", "Kleine Kuppe", "Academia", "Windhoek West",
    "Dorado Park", "Goreangab", "Okuryangava", "Havana", "Auasblick", "Windhoek Central",
)
WINDHOEK_STREETS = (
    "Independence Avenue", "Sam Nujoma Drive", "Robert Mugabe Avenue", "Nelson Mandela Avenue",
    "Hosea Kutako Drive", "Mandume Ndemufayo Avenue", "Hendrik Witbooi Street", "Jan Jonker Road",
    "Dr Frans Indongo Street", "Florence Nightingale Street", "Bahnhof Street", "Fidel Castro Street",
    "Klein Windhoek Road", "Otjomuise Road", "Eveline Street", "Abraham Mashego Street",
    "Claudius Kandovazu Street", "Auas Street", "Nickey Iyambo Street", "Luderitz Street",
    "Gold Street", "Lazarett Street", "Tal Street", "Schanzen Road", "Feld Street",
)
TOWN_STREETS = {
    "Walvis Bay": ("Sam Nujoma Avenue", "Theo-Ben Gurirab Street", "Hage Geingob Street",
                   "Nangolo Mbumba Drive", "Union Street", "Kuisebmond Road", "Narraville Road"),
    "Swakopmund": ("Sam Nujoma Avenue", "Tobias Hainyeko Street", "Libertina Amathila Avenue",
                   "Bismarck Street", "Daniel Tjongarero Avenue", "Moses Garoeb Street", "Strand Street"),
    "Oshakati": ("Main Road", "Sam Nujoma Road", "Robert Mugabe Street", "Hospital Road", "Okandjengedi Road"),
    "Ondangwa": ("Main Road", "Omuthiya Road", "Oshakati Road", "Church Street"),
    "Rundu": ("Usivi Road", "Independence Avenue", "Sauyemwa Road", "Nkurenkuru Road"),
    "Katima Mulilo": ("Ngoma Road", "Boma Street", "Mpacha Road", "Hospital Street"),
    "Keetmanshoop": ("Fenchel Street", "Mittel Street", "Hampie Plichta Avenue", "Sixth Avenue"),
    "Lüderitz": ("Bismarck Street", "Nachtigal Street", "Bahnhof Street", "Diaz Street"),
}
GENERIC_STREETS = (
    "Main Road", "Independence Avenue", "Church Street", "Hospital Street", "Station Street",
    "Market Street", "Sam Nujoma Avenue", "Hage Geingob Street", "Robert Mugabe Avenue",
    "Hidipo Hamutenya Road", "Mandume Ndemufayo Street", "Industrial Road", "School Street",
)
# NamPost's conventional 9000 is what most Namibian addresses carry (there is no street-level
# code); the loader leaves some empty, as real listings do.
POSTAL_CODE = "9000"

PLACES = (
    "Namib", "Kalahari", "Etosha", "Welwitschia", "Camelthorn", "Makalani", "Mopane", "Quiver Tree",
    "Desert Rose", "Oryx", "Kudu", "Springbok", "Sunbird", "Hornbill", "Fish Eagle", "Marula",
    "Omumborombonga", "Sandveld", "Red Dune", "Acacia",
)
PLACES_BY_REGION = {
    "Khomas": ("Auas", "Eros", "Khomas Hochland", "Avis", "Tintenpalast"),
    "Erongo": ("Dunes", "Spitzkoppe", "Brandberg", "Atlantic", "Skeleton Coast", "Pelican", "Flamingo",
               "Moon Landscape", "Erongo"),
    "Oshana": ("Oshana", "Makalani", "Mahangu", "Omatala"),
    "Ohangwena": ("Ohangwena", "Mahangu", "Oshiwambo", "Omhedi"),
    "Omusati": ("Ruacana", "Makalani", "Omusati", "Ombalantu"),
    "Oshikoto": ("Otjikoto", "Etosha", "Guinas", "Onandjokwe"),
    "Otjozondjupa": ("Waterberg", "Hoba", "Omatako", "Mount Etjo"),
    "Kavango East": ("Okavango", "Kavango", "Popa Falls", "Mbunza"),
    "Kavango West": ("Okavango", "Kavango", "Mpungu"),
    "Zambezi": ("Zambezi", "Chobe", "Kwando", "Caprivi", "Mpacha"),
    "Omaheke": ("Kalahari", "Omaheke", "Trans-Kalahari", "Sandveld"),
    "//Karas": ("Fish River", "Orange River", "Kolmanskop", "Quiver Tree", "Garub", "Karas"),
    "Hardap": ("Hardap", "Kalahari", "Red Dune", "Fish River", "Rehoboth"),
    "Kunene": ("Kunene", "Epupa", "Hoanib", "Etendeka", "Twyfelfontein"),
}

# ---------------------------------------------------------------- people

# (female first names, male first names, surnames) per naming tradition.
NAME_GROUPS = {
    "oshiwambo": (
        ("Ndapewa", "Ndeshipanda", "Ndinelao", "Ndahafa", "Nelao", "Ndapandula", "Ndilimeke",
         "Penehafo", "Iyaloo", "Hilma", "Selma", "Saara", "Taimi", "Loide", "Fenni", "Magano",
         "Nangula", "Ndeyapo", "Aili", "Justina", "Ester", "Hileni"),
        ("Tuhafeni", "Panduleni", "Tangeni", "Petrus", "Johannes", "Elago", "Tomas", "Kaleb",
         "Simeon", "Festus", "Erastus", "Natangwe", "Jesaya", "Gideon", "Immanuel", "Mathias",
         "Lazarus", "Hafeni"),
        ("Shikongo", "Nangolo", "Amutenya", "Haufiku", "Iipumbu", "Shilongo", "Nghifindaka",
         "Kaulinge", "Amukwaya", "Nakale", "Shipanga", "Angula", "Shivute", "Kamati", "Nekwaya",
         "Iiyambo", "Ndeitunga", "Hangula", "Shaanika", "Nghidinwa", "Haimbodi", "Uutoni",
         "Amupolo", "Nghipandulwa", "Shikomba", "Namene", "Hamunyela", "Ekandjo", "Mutota"),
    ),
    "herero": (
        ("Vetaruhe", "Ueriuka", "Kaera", "Uapiruka", "Jahanika", "Kavezeri", "Tjijandjeua",
         "Uazuva", "Karee", "Vijanda", "Ngaarikutuke", "Uatjiua"),
        ("Kaembi", "Uazenga", "Kaunapaua", "Vekuii", "Tjiuee", "Kazeongere", "Ueitele",
         "Mbakumua", "Kavemuii", "Katjiuongua"),
        ("Kaputu", "Kandjii", "Tjivikua", "Kazondu", "Hengari", "Tjiueza", "Mbaeva", "Kavari",
         "Muharukua", "Tjipura", "Kauaria", "Tjituka", "Karuaihe", "Kaurivi", "Zeraeua",
         "Tjombe", "Ngaujake", "Veii", "Kauapirura", "Hoveka"),
    ),
    "nama_damara": (
        ("Auma", "Gretha", "Magdalena", "Elfriede", "Rosalia", "Dorothea", "Hendrina", "Clementine",
         "Frieda", "Sophia"),
        ("Hendrik", "Jacobus", "Abraham", "Petrus", "Dawid", "Christiaan", "Willem", "Simon",
         "Gottlieb", "Lukas"),
        ("Gaoseb", "Hoeseb", "Gariseb", "Naobeb", "Gowases", "!Gawaseb", "Tsuseb", "Areseb",
         "Ganeb", "Haraes", "Isaacs", "Beukes", "Swartbooi", "Boois", "Witbooi", "Hanse",
         "Goagoses", "Kharuxab", "Diergaardt", "Cloete"),
    ),
    "afrikaans": (
        ("Anri", "Elna", "Marietjie", "Wilhelmina", "Annelie", "Zelda", "Charlize", "Riana",
         "Lizelle", "Marlene"),
        ("Johan", "Pieter", "Hendrik", "Jacobus", "Riaan", "Gert", "Frikkie", "Willem", "Ruan",
         "Deon"),
        ("van der Merwe", "Botha", "Coetzee", "Swart", "Pretorius", "du Plessis", "Steenkamp",
         "Visagie", "Engelbrecht", "Louw", "Kotze", "Nel", "van Wyk", "Brand", "Smit"),
    ),
    "german": (
        ("Heike", "Ulrike", "Anke", "Sabine", "Birgit", "Helga", "Ingrid", "Katrin", "Gisela",
         "Antje"),
        ("Klaus", "Dieter", "Jürgen", "Wolfgang", "Gerhard", "Uwe", "Horst", "Rainer", "Manfred",
         "Joachim"),
        ("Schneider", "Müller", "Böhme", "Hoffmann", "Krüger", "Schmidt", "Voigt", "Rust",
         "Gädeke", "Becker", "Hartmann", "Lange", "Wagner", "Fischer", "Weber", "Schäfer"),
    ),
    "english": (
        ("Michelle", "Sarah", "Lisa", "Charlene", "Nicole", "Rachel", "Grace", "Faith", "Patience",
         "Mercy"),
        ("David", "Brian", "Kevin", "Michael", "Jonathan", "Steven", "Mark", "Paul", "Brandon",
         "Ryan"),
        ("Smith", "Williams", "Brown", "Jacobs", "Adams", "Roberts", "Johnson", "Fredericks",
         "Meyer", "Davids", "Green", "Jones"),
    ),
    "kavango": (
        ("Maria", "Rosalia", "Veronika", "Theresia", "Paulina", "Agnes", "Katharina", "Hilde"),
        ("Alfons", "Ambrosius", "Dominikus", "Bonifatius", "Romanus", "Kapande", "Muronga", "Siteketa"),
        ("Haingura", "Mbambo", "Kandjimi", "Shikerete", "Muyeu", "Kandjii", "Sirongo", "Mpasi",
         "Hausiku", "Kativa", "Sikongo", "Mutero"),
    ),
    "zambezi": (
        ("Namasiku", "Inonge", "Mwangala", "Mutinta", "Kachana", "Nalisa", "Mukela", "Liseli"),
        ("Lubasi", "Mutumba", "Muyunda", "Sililo", "Mwiya", "Kabili", "Sinvula", "Mubiana"),
        ("Mwilima", "Sinvula", "Simasiku", "Mubita", "Lubinda", "Muyatwa", "Mutelo", "Sitali",
         "Liswani", "Mukena", "Sibeya", "Mafwila"),
    ),
}
_NORTH = {"oshiwambo": 78, "herero": 4, "english": 6, "afrikaans": 4, "nama_damara": 3, "kavango": 5}
REGION_NAME_MIX = {
    "Khomas": {"oshiwambo": 34, "herero": 14, "nama_damara": 14, "afrikaans": 12, "german": 9,
               "english": 9, "kavango": 4, "zambezi": 4},
    "Erongo": {"oshiwambo": 30, "herero": 10, "nama_damara": 18, "afrikaans": 14, "german": 14,
               "english": 10, "kavango": 2, "zambezi": 2},
    "Oshana": _NORTH, "Ohangwena": _NORTH, "Omusati": _NORTH, "Oshikoto": _NORTH,
    "Otjozondjupa": {"herero": 30, "oshiwambo": 25, "nama_damara": 15, "afrikaans": 14, "german": 8,
                     "english": 8},
    "Kavango East": {"kavango": 70, "oshiwambo": 12, "english": 8, "afrikaans": 4, "zambezi": 6},
    "Kavango West": {"kavango": 75, "oshiwambo": 15, "english": 6, "zambezi": 4},
    "Zambezi": {"zambezi": 75, "kavango": 8, "oshiwambo": 8, "english": 9},
    "Omaheke": {"herero": 45, "nama_damara": 15, "afrikaans": 18, "oshiwambo": 12, "german": 5,
                "english": 5},
    "//Karas": {"nama_damara": 38, "afrikaans": 28, "oshiwambo": 14, "german": 8, "english": 8,
                "herero": 4},
    "Hardap": {"nama_damara": 40, "afrikaans": 30, "oshiwambo": 10, "herero": 6, "german": 6,
               "english": 8},
    "Kunene": {"herero": 45, "nama_damara": 25, "oshiwambo": 15, "afrikaans": 7, "english": 8},
}

# The three demo log-ins: (first name, last name, home town).
DEMO_PEOPLE = {
    "admin": ("Maria", "Haufiku", "Windhoek"),
    "owner": ("Ndapewa", "Shikongo", "Windhoek"),
    "customer": ("Kaera", "Tjiueza", "Windhoek"),
}

# ---------------------------------------------------------------- opening hours and windows

_WEEK = (0, 1, 2, 3, 4, 5, 6)  # 0 = Sunday
_MON_FRI = (1, 2, 3, 4, 5)
_MON_SAT = (1, 2, 3, 4, 5, 6)


def _week(sun, weekdays, sat):
    return (sun, weekdays, weekdays, weekdays, weekdays, weekdays, sat)


# Per day (index 0 = Sunday): None = closed, "24h", or (open, close); close <= open is overnight.
HOURS = {
    "salon": _week(None, ("08:00", "18:00"), ("08:00", "18:00")),
    "kapana": _week(("10:00", "22:00"), ("10:00", "22:00"), ("10:00", "22:00")),
    "restaurant": _week(("11:00", "22:00"), ("11:00", "22:00"), ("11:00", "22:00")),
    "night": (("18:00", "02:00"), None, ("18:00", "02:00"), ("18:00", "02:00"), ("18:00", "02:00"),
              ("18:00", "02:00"), ("18:00", "02:00")),
    "cafe": _week(("08:00", "13:00"), ("07:00", "17:00"), ("08:00", "14:00")),
    "takeaway": _week(("08:00", "21:00"), ("08:00", "21:00"), ("08:00", "21:00")),
    "workshop": _week(None, ("08:00", "17:00"), ("08:00", "13:00")),
    "lodge": _week("24h", "24h", "24h"),
    "tours": _week(("06:00", "19:00"), ("06:00", "19:00"), ("06:00", "19:00")),
    "clinic": _week(None, ("08:00", "17:00"), ("08:00", "13:00")),
    "pharmacy": _week(("09:00", "13:00"), ("08:00", "19:00"), ("08:00", "14:00")),
    "office": _week(None, ("08:00", "17:00"), None),
    "trades": _week(None, ("07:30", "17:00"), ("08:00", "12:00")),
    "shop": _week(("10:00", "14:00"), ("08:30", "17:30"), ("08:30", "13:00")),
    "market": _week(("08:00", "18:00"), ("08:00", "18:00"), ("08:00", "18:00")),
    "events": _week(("10:00", "18:00"), ("08:00", "20:00"), ("08:00", "20:00")),
    "education": _week(None, ("08:00", "18:00"), ("08:00", "13:00")),
    "gym": _week(("08:00", "12:00"), ("05:30", "21:00"), ("07:00", "14:00")),
}

# Weekly booking windows of a bookable service: (days, start, end). Each lies inside the
# opening hours of every pattern it is used with (the demo tests check the pairs).
WINDOWS = {
    "salon_split": ((_MON_SAT, "08:00", "13:00"), (_MON_SAT, "14:00", "17:00")),
    "salon_long": ((_MON_SAT, "08:00", "17:00"),),
    "workshop": ((_MON_FRI, "08:00", "17:00"), ((6,), "08:00", "13:00")),
    "clinic": ((_MON_FRI, "08:00", "12:30"), (_MON_FRI, "14:00", "17:00"), ((6,), "08:00", "12:00")),
    "pharmacy": ((_MON_FRI, "09:00", "13:00"), (_MON_FRI, "14:00", "18:00"), ((6,), "09:00", "13:00")),
    "office": ((_MON_FRI, "08:00", "13:00"), (_MON_FRI, "14:00", "17:00")),
    "trades": ((_MON_FRI, "08:00", "16:00"), ((6,), "08:00", "12:00")),
    "dining": ((_WEEK, "12:00", "21:00"),),
    "lodge_activity": ((_WEEK, "06:00", "10:00"), (_WEEK, "16:00", "19:00")),
    "transfer": ((_WEEK, "06:00", "20:00"),),
    "tours": ((_WEEK, "06:00", "18:00"),),
    "workshop_class": ((_MON_SAT, "09:00", "13:00"),),
    "events": ((_MON_SAT, "08:00", "20:00"), ((0,), "10:00", "18:00")),
    "tutoring": ((_MON_FRI, "14:00", "18:00"), ((6,), "08:00", "13:00")),
    "driving": ((_MON_FRI, "08:00", "17:00"), ((6,), "08:00", "13:00")),
    "gym": ((_MON_FRI, "06:00", "09:00"), (_MON_FRI, "17:00", "20:00"), ((6,), "07:00", "11:00")),
}

# ---------------------------------------------------------------- categories and services


@dataclass(frozen=True)
class ServiceTemplate:
    name: str  # may use {town}
    low: int  # N$
    high: int
    minutes: int | None = None
    bookable: bool = False
    windows: str | None = None  # default: the subcategory's
    description: str | None = None


def S(name, low, high, minutes=None, windows=None, description=None, *, bookable=None):
    """A service template; one with a duration is bookable unless told otherwise."""
    return ServiceTemplate(name, low, high, minutes, minutes is not None if bookable is None else bookable,
                           windows, description)


@dataclass(frozen=True)
class Subcategory:
    slug: str
    name: str
    icon: str
    description: str
    names: tuple[str, ...]  # name patterns: {first} {first_s} {last} {last2} {town} {suburb} {place}
    services: tuple[ServiceTemplate, ...]
    keywords: tuple[str, ...]
    hours: tuple[tuple[str, float], ...]  # (HOURS pattern, weight)
    windows: str | None = None
    weight: float = 1.0
    towns: frozenset[str] | None = None  # only in these towns (boat trips need the sea)
    female_names: bool = False  # patterns naming the owner ({first}) take a woman's name


# Patterns that only suit a woman's name in any subcategory.
FEMALE_TITLES = ("Meme ", "Queen ")


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    icon: str
    color: str
    description: str
    weight: float
    subcategories: tuple[Subcategory, ...]


_SEA = frozenset({"Walvis Bay", "Swakopmund", "Henties Bay", "Lüderitz"})

CATEGORIES: tuple[Category, ...] = (
    Category("hair-beauty", "Hair & Beauty", "scissors", "#C2185B",
             "Braiding salons, barbers, nail bars and spas across Namibia.", 15, (
        Subcategory("braids", "Braids & Hair Salons", "sparkles",
                    "Knotless braids, cornrows, twists, wigs and weaves.",
                    ("{first_s} Braids & Beauty", "{first_s} Hair Studio", "{town} Braids Studio",
                     "Queen {first} Hair Salon", "{suburb} Braiding Palace", "Crown & Braids {town}",
                     "{place} Hair & Beauty"),
                    (S("Knotless braids (medium, mid-back)", 650, 1200, 300, "salon_long"),
                     S("Box braids", 450, 900, 240, "salon_long"),
                     S("Cornrows (straight back)", 150, 350, 90),
                     S("Passion twists", 400, 800, 240, "salon_long"),
                     S("Wig installation", 250, 500, 90),
                     S("Wash and blow-dry", 120, 250, 60),
                     S("Kids' braids", 200, 400, 120)),
                    ("braids", "knotless braids", "cornrows", "hair salon", "wigs", "weaves", "twists"),
                    (("salon", 1),), "salon_split", 3.0, female_names=True),
        Subcategory("barbers", "Barbers", "scissors",
                    "Fades, line-ups, beard trims and hot towel shaves.",
                    ("{first_s} Barbershop", "Fresh Cuts {suburb}", "{town} Kings Barber", "Sharp Fade Barbers {town}",
                     "{place} Gents Grooming", "The {suburb} Barber"),
                    (S("Haircut", 60, 150, 30), S("Fade with line-up", 80, 150, 45),
                     S("Beard trim and shape", 40, 90, 15), S("Kids' haircut", 50, 80, 30),
                     S("Hot towel shave", 100, 180, 30), S("Haircut and beard combo", 120, 220, 60)),
                    ("barber", "haircut", "fade", "beard trim", "shave", "gents"),
                    (("salon", 1),), "salon_split", 2.5),
        Subcategory("nail-bars", "Nails & Lashes", "hand",
                    "Gel and acrylic nails, pedicures, lashes and brows.",
                    ("{first_s} Nail Bar", "Glam Nails {town}", "{place} Nails & Lashes", "Polished by {first}",
                     "{suburb} Nail Lounge"),
                    (S("Gel manicure", 180, 320, 60), S("Acrylic full set", 350, 550, 90),
                     S("Pedicure", 200, 350, 60), S("Gel overlay on toes", 150, 250, 45),
                     S("Classic lash extensions", 350, 600, 120), S("Brow shape and tint", 80, 150, 30)),
                    ("nails", "manicure", "pedicure", "gel nails", "acrylics", "lashes"),
                    (("salon", 1),), "salon_split", 1.5, female_names=True),
        Subcategory("spas", "Spas & Massage", "flower",
                    "Massages, facials and body treatments.",
                    ("{place} Day Spa", "{town} Wellness Spa", "Serenity Spa {suburb}", "{first_s} Healing Hands",
                     "{place} Massage & Wellness"),
                    (S("Full body massage (60 min)", 450, 850, 60), S("Hot stone massage", 550, 950, 90),
                     S("Facial", 400, 750, 60), S("Back, neck and shoulder massage", 300, 500, 30),
                     S("Kalahari salt body scrub", 380, 650, 45), S("Couples massage", 900, 1600, 60)),
                    ("spa", "massage", "facial", "wellness", "body scrub"),
                    (("salon", 1),), "salon_split", 1.0, female_names=True),
    )),
    Category("kapana-restaurants", "Kapana & Restaurants", "utensils", "#E65100",
             "Kapana stands, restaurants, cafés and takeaways.", 14, (
        Subcategory("kapana-stands", "Kapana Stands", "flame",
                    "Fresh kapana grilled on the spot with chilli salsa and fat cakes.",
                    ("{suburb} Kapana Corner", "{first_s} Kapana Stand", "{town} Kapana Spot",
                     "Chilli & Salt Kapana {suburb}", "Single Quarters Kapana {first}", "Meme {first}'s Kapana"),
                    (S("Kapana portion (beef, grilled on the spot)", 30, 60), S("Kapana with fat cakes", 45, 70),
                     S("Chilli salsa and onion", 5, 15), S("Boerewors roll", 35, 55), S("Cold drink", 15, 25),
                     S("Oshifima portion", 15, 25)),
                    ("kapana", "braai", "street food", "grilled meat", "fat cakes", "chilli"),
                    (("kapana", 1),), None, 2.5),
        Subcategory("restaurants", "Restaurants", "utensils",
                    "Namibian, game and seafood restaurants.",
                    ("{place} Restaurant", "{first_s} Kitchen", "The {place} Grill", "{town} Steakhouse",
                     "Oshiwambo Traditional Kitchen {town}", "{place} Bistro", "Taste of {town}"),
                    (S("Oryx steak with pap", 165, 260), S("Oshifima with ekaka and beef stew", 85, 140),
                     S("Potjiekos of the day", 120, 190), S("Mopane worms (omagungu) with relish", 70, 120),
                     S("Kudu burger with chips", 110, 170), S("Grilled kingklip", 160, 240),
                     S("Private dining area (3 hours)", 500, 1500, 180, "dining")),
                    ("restaurant", "game meat", "oryx", "steak", "seafood", "traditional food"),
                    (("restaurant", 0.85), ("night", 0.15)), None, 2.0),
        Subcategory("cafes", "Cafés & Bakeries", "coffee",
                    "Coffee, cake and breakfast, from Kaffee und Kuchen to fat cakes.",
                    ("{place} Coffee Co.", "Café {town}", "{first_s} Bakery & Café", "Kaffee und Kuchen {town}",
                     "{suburb} Coffee Corner"),
                    (S("Cappuccino", 28, 42), S("Apfelstrudel with cream", 45, 70), S("Full breakfast", 85, 140),
                     S("Toasted sandwich", 55, 85), S("Black Forest cake slice", 45, 65), S("Rooibos tea", 20, 30)),
                    ("cafe", "coffee", "bakery", "breakfast", "cake"),
                    (("cafe", 1),), None, 1.2),
        Subcategory("takeaways", "Takeaways", "shopping-bag",
                    "Fat cakes, chicken and chips, burgers and braai plates to go.",
                    ("{first_s} Fat Cakes & Takeaway", "{town} Chicken & Chips", "Vetkoek Express {suburb}",
                     "{place} Takeaways", "{suburb} Quick Bites"),
                    (S("Fat cakes (vetkoek), four", 20, 35), S("Chicken and chips", 55, 90),
                     S("Russian and chips", 40, 60), S("Beef burger", 60, 95), S("Braai plate", 75, 120)),
                    ("takeaway", "fast food", "fat cakes", "chicken", "burgers"),
                    (("takeaway", 1),), None, 1.5),
    )),
    Category("auto-repair", "Auto Repair", "wrench", "#455A64",
             "Mechanics, panel beaters and tyre fitment centres.", 9, (
        Subcategory("mechanics", "Mechanics", "wrench",
                    "Services, repairs and diagnostics for cars, bakkies and 4x4s.",
                    ("{town} Auto Clinic", "{first_s} Motor Repairs", "{place} Diesel & Auto",
                     "{suburb} Motor Works", "{last} Auto Services", "{place} 4x4 Centre"),
                    (S("Minor service (oil change)", 650, 950, 120), S("Major service", 1800, 3500, 300),
                     S("Brake pads replacement", 850, 1600, 120), S("Diagnostic scan", 350, 600, 60),
                     S("Wheel alignment", 350, 550, 60), S("Clutch replacement", 3500, 7500, 480)),
                    ("mechanic", "car service", "oil change", "brakes", "diagnostics", "4x4"),
                    (("workshop", 1),), "workshop", 2.0),
        Subcategory("panel-beaters", "Panel Beaters", "car",
                    "Dents, resprays, windscreens and insurance repairs.",
                    ("{town} Panel Beaters", "{first_s} Body Works", "{place} Smash Repairs", "{last} Panel & Paint"),
                    (S("Dent repair (per panel)", 800, 2500, 240), S("Bumper respray", 1500, 3500, 480),
                     S("Free quote and assessment", 0, 0, 30), S("Windscreen replacement", 2200, 4500, 120),
                     S("Scratch polish", 450, 900, 120)),
                    ("panel beater", "spray painting", "dents", "windscreen", "insurance repairs"),
                    (("workshop", 1),), "workshop", 1.0),
        Subcategory("tyres", "Tyres & Exhausts", "circle",
                    "Tyres, puncture repairs, balancing and exhausts.",
                    ("{town} Tyre Centre", "{place} Tyres & Exhausts", "{first_s} Tyre Fitment", "{suburb} Tyre Depot"),
                    (S("Tyre fitting and balancing (per wheel)", 80, 150, 30), S("Puncture repair", 60, 120, 30),
                     S("Wheel alignment", 350, 550, 60), S("New tyre 195/65R15", 1100, 1650),
                     S("4x4 tyre 265/65R17", 2400, 3800)),
                    ("tyres", "puncture", "wheel balancing", "exhaust", "alignment"),
                    (("workshop", 1),), "workshop", 1.0),
    )),
    Category("lodges-guesthouses", "Lodges & Guesthouses", "bed", "#6D4C41",
             "Lodges, guesthouses, B&Bs and campsites.", 7, (
        Subcategory("lodges", "Lodges", "tent-tree",
                    "Safari and bush lodges with game drives and sundowners.",
                    ("{place} Lodge", "{place} Safari Lodge", "{place} Bush Lodge", "{place} Game Lodge",
                     "{town} Country Lodge"),
                    (S("Double room (per night, B&B)", 850, 2500), S("Family room (per night)", 1400, 3200),
                     S("Sundowner game drive", 450, 850, 150, "lodge_activity"),
                     S("Guided nature walk", 250, 450, 120, "lodge_activity"),
                     S("Three-course dinner", 280, 420), S("Campsite (per person per night)", 150, 280)),
                    ("lodge", "accommodation", "safari", "game drive", "sundowner"),
                    (("lodge", 1),), "lodge_activity", 1.6),
        Subcategory("guesthouses", "Guesthouses & B&Bs", "home",
                    "Guesthouses, B&Bs and self-catering flats.",
                    ("{town} {place} Guesthouse", "{first_s} Guesthouse", "Haus {de_last}", "{place} B&B",
                     "{suburb} Guest Rooms", "Pension {place}"),
                    (S("Single room (per night)", 650, 1100), S("Double room (per night, breakfast included)", 850, 1600),
                     S("Airport transfer", 350, 700, 60, "transfer"), S("Laundry service", 80, 150),
                     S("Packed lunch", 90, 140)),
                    ("guesthouse", "bed and breakfast", "accommodation", "self catering"),
                    (("lodge", 1),), "transfer", 2.0),
        Subcategory("campsites", "Campsites", "tent",
                    "Campsites and rest camps with chalets.",
                    ("{place} Camp", "{place} Rest Camp", "{town} Caravan Park", "{place} Campsite & Chalets"),
                    (S("Campsite (per person per night)", 150, 300), S("Firewood bundle", 40, 70),
                     S("Chalet (per night)", 700, 1400), S("Guided walk", 200, 350, 120, "lodge_activity")),
                    ("camping", "campsite", "chalets", "rest camp", "braai"),
                    (("lodge", 1),), "lodge_activity", 0.8),
    )),
    Category("tours-safaris", "Tours & Safaris", "compass", "#2E7D32",
             "Safaris, cultural tours, dune adventures and boat trips.", 5, (
        Subcategory("safaris", "Safaris & Game Drives", "binoculars",
                    "Game drives, day safaris and birding outings.",
                    ("{place} Safaris", "{town} Tours & Safaris", "{first_s} Safari Adventures", "{place} Expeditions"),
                    (S("Full-day safari", 1800, 3500, 600), S("Half-day game drive", 900, 1800, 240),
                     S("Sundowner drive", 450, 850, 180), S("Birding outing", 450, 750, 180),
                     S("Airport transfer", 400, 800, 60)),
                    ("safari", "game drive", "wildlife", "tours", "birding"),
                    (("tours", 1),), "tours", 1.5),
        Subcategory("cultural-tours", "Township & Cultural Tours", "users",
                    "Township walks, market visits and cultural village tours.",
                    ("{first_s} Township Tours", "{town} Cultural Tours", "{suburb} Heritage Walks",
                     "Taste of {town} Tours"),
                    (S("Guided {town} township tour", 450, 900, 180), S("Kapana and market food walk", 350, 650, 120),
                     S("Cultural village visit", 500, 950, 240), S("Craft market walk", 250, 450, 90)),
                    ("township tour", "culture", "heritage", "food tour", "walking tour"),
                    (("tours", 1),), "tours", 1.0),
        Subcategory("desert-adventures", "Desert & Dune Adventures", "mountain",
                    "Quad biking, sandboarding and desert tours in the Namib.",
                    ("{place} Dune Adventures", "{town} Desert Tours", "Namib {place} Adventures", "{short} Dune Riders"),
                    (S("Quad biking in the dunes (1 hour)", 550, 850, 60), S("Sandboarding (half day)", 450, 750, 240),
                     S("Little Five desert tour", 800, 1200, 300), S("Sunset dune walk", 300, 500, 120)),
                    ("quad biking", "sandboarding", "dunes", "desert tour", "adventure"),
                    (("tours", 1),), "tours", 1.0, towns=_SEA),
        Subcategory("boat-trips", "Boat & Fishing Trips", "anchor",
                    "Dolphin and seal cruises, kayaking and angling trips.",
                    ("{place} Boat Cruises", "{town} Fishing Charters", "{first_s} Angling Trips", "{short} Marine Tours"),
                    (S("Dolphin and seal cruise", 800, 1400, 180), S("Shore angling trip", 900, 1800, 480),
                     S("Kayaking with seals", 750, 1300, 240), S("Oyster tasting cruise", 950, 1600, 180)),
                    ("boat cruise", "dolphins", "fishing", "kayaking", "oysters"),
                    (("tours", 1),), "tours", 0.8, towns=_SEA),
    )),
    Category("health", "Health", "heart-pulse", "#D32F2F",
             "Clinics, dentists, pharmacies and physiotherapists.", 8, (
        Subcategory("clinics", "Clinics & Doctors", "stethoscope",
                    "General practitioners and family clinics.",
                    ("{town} Medical Centre", "{suburb} Family Clinic", "Dr {last} Medical Practice", "{place} Health Clinic"),
                    (S("GP consultation", 450, 650, 20, "clinic"), S("Child immunisation visit", 250, 400, 20, "clinic"),
                     S("Full medical check-up", 900, 1500, 60, "clinic"), S("Pap smear", 350, 550, 30, "clinic"),
                     S("Malaria test", 150, 250, 15, "clinic")),
                    ("doctor", "clinic", "GP", "medical", "check-up"),
                    (("clinic", 1),), "clinic", 1.5),
        Subcategory("dentists", "Dentists", "smile",
                    "Check-ups, fillings, extractions and whitening.",
                    ("Dr {last} Dental Studio", "{town} Smile Dental", "{place} Dental Care", "{suburb} Dental Practice"),
                    (S("Check-up and clean", 550, 900, 45), S("Filling", 650, 1200, 60),
                     S("Tooth extraction", 600, 1100, 45), S("Teeth whitening", 2500, 4500, 90),
                     S("Root canal treatment", 3500, 6500, 120)),
                    ("dentist", "dental", "teeth", "whitening", "check-up"),
                    (("clinic", 1),), "clinic", 0.8),
        Subcategory("pharmacies", "Pharmacies", "pill",
                    "Pharmacies with clinic services and travel health.",
                    ("{town} Pharmacy", "{place} Pharmacy", "Medi-Care Pharmacy {suburb}", "{last} Chemist"),
                    (S("Blood pressure check", 50, 80, 15), S("Flu vaccine", 180, 280, 15),
                     S("Blood glucose test", 60, 100, 15), S("Travel malaria consultation", 150, 250, 20),
                     S("Baby clinic weigh-in", 50, 80, 20), S("Prescription dispensing fee", 30, 60)),
                    ("pharmacy", "chemist", "medicine", "vaccines", "clinic"),
                    (("pharmacy", 1),), "pharmacy", 1.2),
        Subcategory("physiotherapy", "Physiotherapy", "activity",
                    "Rehabilitation, sports injuries and massage.",
                    ("{town} Physiotherapy", "{last} Physio & Rehab", "{place} Sports Physio"),
                    (S("Initial assessment", 550, 850, 60), S("Follow-up treatment", 450, 650, 45),
                     S("Sports massage", 400, 600, 45), S("Dry needling", 380, 550, 30)),
                    ("physiotherapy", "physio", "rehab", "sports injury"),
                    (("clinic", 1),), "clinic", 0.5),
    )),
    Category("legal-financial", "Legal & Financial", "scale", "#283593",
             "Attorneys, accountants and insurance brokers.", 5, (
        Subcategory("attorneys", "Attorneys", "gavel",
                    "Legal practitioners for wills, property, contracts and disputes.",
                    ("{last} & {last2} Attorneys", "{last} Legal Practitioners", "{last} Inc. Attorneys",
                     "{town} Law Chambers"),
                    (S("Initial legal consultation", 600, 1200, 60), S("Will drafting", 1500, 3500, 60),
                     S("Commissioner of oaths", 0, 50, 15), S("Contract review", 1200, 2500, 60),
                     S("Property transfer (conveyancing) quote", 0, 0)),
                    ("lawyer", "attorney", "wills", "conveyancing", "legal advice"),
                    (("office", 1),), "office", 1.2),
        Subcategory("accountants", "Accountants & Tax", "calculator",
                    "Tax returns, bookkeeping, payroll and company registration.",
                    ("{last} Accounting & Tax", "{town} Bookkeeping Services", "{last} & Associates",
                     "{place} Tax Consultants"),
                    (S("Individual tax return", 450, 900, 60), S("Company registration (BIPA)", 1200, 2500, 60),
                     S("Monthly bookkeeping", 1500, 4500), S("VAT return", 650, 1200, 60), S("Payroll setup", 900, 1800, 60)),
                    ("accountant", "tax", "bookkeeping", "payroll", "BIPA"),
                    (("office", 1),), "office", 1.0),
        Subcategory("insurance-brokers", "Insurance Brokers", "shield",
                    "Vehicle, household, business and funeral cover.",
                    ("{place} Insurance Brokers", "{last} Risk & Insurance", "{town} Brokers"),
                    (S("Vehicle insurance quote", 0, 0, 30), S("Funeral cover consultation", 0, 0, 30),
                     S("Business insurance review", 0, 0, 60), S("Household cover quote", 0, 0, 30)),
                    ("insurance", "funeral cover", "car insurance", "broker"),
                    (("office", 1),), "office", 0.6),
    )),
    Category("building-trades", "Building & Trades", "hammer", "#F9A825",
             "Plumbers, electricians and builders.", 7, (
        Subcategory("plumbers", "Plumbers", "droplet",
                    "Leaks, geysers, blocked drains and bathrooms.",
                    ("{first_s} Plumbing", "{town} Plumbing & Geysers", "{last} Plumbing Services", "{place} Plumbers"),
                    (S("Call-out fee", 350, 550, 60, "trades"), S("Geyser replacement (150 L)", 4500, 8500, 240, "trades"),
                     S("Blocked drain", 450, 900, 90, "trades"), S("Leak repair", 400, 800, 60, "trades"),
                     S("Bathroom renovation quote", 0, 0, 60, "trades")),
                    ("plumber", "geyser", "leaks", "blocked drain", "bathroom"),
                    (("trades", 1),), "trades", 1.2),
        Subcategory("electricians", "Electricians", "zap",
                    "Wiring, compliance certificates and solar.",
                    ("{last} Electrical", "{place} Electrical Contractors", "{town} Electric", "{first_s} Wiring & Solar"),
                    (S("Call-out fee", 350, 600, 60, "trades"), S("Certificate of compliance", 1200, 2500, 180, "trades"),
                     S("Solar geyser installation", 14000, 26000, 480, "trades"), S("DB board upgrade", 2500, 5500, 240, "trades")),
                    ("electrician", "wiring", "solar", "compliance certificate"),
                    (("trades", 1),), "trades", 1.0),
        Subcategory("builders", "Builders", "brick-wall",
                    "Building, renovations, paving, tiling and roofs.",
                    ("{last} Construction", "{place} Builders", "{first} Brick & Build", "{town} Renovations"),
                    (S("Site visit and quote", 0, 300, 60, "trades"), S("Boundary wall (per metre)", 900, 1600),
                     S("Tiling (per square metre)", 180, 350), S("Roof repair", 1500, 6500, 480, "trades"),
                     S("Paving (per square metre)", 250, 450)),
                    ("builder", "construction", "renovations", "paving", "roofing"),
                    (("trades", 1),), "trades", 1.0),
    )),
    Category("crafts-souvenirs", "Crafts & Souvenirs", "palette", "#8E24AA",
             "Craft markets, woodcarvings, jewellery, baskets and textiles.", 4, (
        Subcategory("craft-markets", "Craft Markets", "store",
                    "Curios and crafts from every region.",
                    ("{place} Craft Market", "{town} Curio Centre", "{place} Curios", "{suburb} Craft Corner"),
                    (S("Carved wooden giraffe (medium)", 250, 650), S("Makalani nut keyring", 30, 60),
                     S("Herero doll", 350, 700), S("Wooden bowl", 150, 400), S("Painted tablecloth", 250, 550),
                     S("Craft workshop (2 hours)", 350, 600, 120)),
                    ("crafts", "curios", "souvenirs", "woodcarving", "gifts"),
                    (("market", 1),), "workshop_class", 1.5),
        Subcategory("woodcarvings", "Woodcarvings", "axe",
                    "Carvers of masks, animals and furniture.",
                    ("{town} Woodcarvers", "{first_s} Carvings", "{place} Wood Art"),
                    (S("Carved mask", 200, 550), S("Carved hippo (small)", 120, 300), S("Stool with animal carving", 600, 1500),
                     S("Custom carving commission", 1000, 4000), S("Carving class (2 hours)", 300, 500, 120)),
                    ("woodcarving", "carvings", "masks", "crafts"),
                    (("shop", 1),), "workshop_class", 1.0),
        Subcategory("jewellery", "Jewellery & Beadwork", "gem",
                    "Ostrich eggshell beads, copper and semi-precious stones.",
                    ("{first_s} Beads & Jewellery", "{place} Gems", "{town} Bead Works"),
                    (S("Ostrich eggshell bead necklace", 180, 450), S("Copper bangle", 120, 280),
                     S("Tourmaline pendant", 350, 1200), S("Beading class (2 hours)", 250, 450, 120)),
                    ("jewellery", "beads", "ostrich eggshell", "gemstones"),
                    (("shop", 1),), "workshop_class", 0.8, female_names=True),
        Subcategory("baskets-textiles", "Baskets & Textiles", "shopping-basket",
                    "Woven baskets, embroidery and fabrics.",
                    ("{place} Basket Weavers", "{first_s} Baskets & Fabrics", "{town} Weaving Collective"),
                    (S("Large woven basket", 400, 900), S("Makalani palm bowl", 150, 350), S("Embroidered cushion cover", 180, 380),
                     S("Basket weaving workshop (2 hours)", 350, 600, 120)),
                    ("baskets", "weaving", "textiles", "embroidery"),
                    (("market", 1),), "workshop_class", 0.7, female_names=True),
    )),
    Category("events", "Events", "party-popper", "#00838F",
             "Venues, caterers, photographers and DJs.", 5, (
        Subcategory("venues", "Venues", "building",
                    "Wedding, party and conference venues.",
                    ("{place} Events Venue", "{town} Conference & Wedding Venue", "{place} Gardens", "The {place} Hall"),
                    (S("Wedding venue hire (full day)", 8000, 25000, 600), S("Conference room (half day)", 1500, 4000, 240),
                     S("Garden hire for a birthday party", 2000, 6000, 360), S("Chairs and tables hire (per 50)", 600, 1200)),
                    ("venue", "wedding", "conference", "party", "events"),
                    (("events", 1),), "events", 1.2),
        Subcategory("catering", "Catering", "chef-hat",
                    "Buffets, braais and traditional food for every occasion.",
                    ("{first_s} Catering", "{place} Braai & Catering", "{town} Caterers", "Meme {first}'s Kitchen Catering"),
                    (S("Buffet (per head)", 180, 350), S("Braai catering (per head)", 220, 380),
                     S("Traditional food platter (per head)", 150, 280), S("Menu tasting", 0, 250, 60)),
                    ("catering", "braai", "buffet", "weddings", "traditional food"),
                    (("events", 1),), "events", 1.2),
        Subcategory("photographers", "Photographers", "camera",
                    "Weddings, families, graduations and events.",
                    ("{first} {last} Photography", "{place} Lens Studio", "{town} Photo Studio", "Moments by {first}"),
                    (S("Wedding photography (full day)", 8500, 18000, 600), S("Family photoshoot (1 hour)", 900, 1800, 60),
                     S("Graduation photos", 600, 1200, 60), S("Passport photos", 60, 120, 15)),
                    ("photographer", "wedding photos", "photoshoot", "graduation"),
                    (("events", 1),), "events", 1.0),
        Subcategory("djs", "DJs & Sound", "music",
                    "DJs, MCs and sound and light hire.",
                    ("DJ {first}", "{town} Sound & Lights", "{place} Entertainment", "{first} the MC"),
                    (S("DJ set (4 hours)", 2500, 6000, 240), S("Sound system hire (per day)", 1500, 3500),
                     S("MC services", 1500, 3000, 240), S("Lighting package", 1200, 2800)),
                    ("DJ", "sound hire", "MC", "party", "music"),
                    (("events", 1),), "events", 0.8),
    )),
    Category("education", "Education & Tutoring", "graduation-cap", "#1565C0",
             "Tutors, driving schools, language and computer classes.", 4, (
        Subcategory("tutoring", "Tutoring", "book-open",
                    "Extra lessons for primary and secondary learners.",
                    ("{first_s} Maths & Science Tutoring", "{town} Learning Centre", "{place} Tutors", "Bright Minds {suburb}"),
                    (S("Maths tutoring (1 hour)", 150, 300, 60), S("Grade 12 exam preparation class", 250, 450, 120),
                     S("Physical science lesson", 150, 300, 60), S("English essay coaching", 150, 280, 60)),
                    ("tutoring", "maths", "science", "extra classes", "exam preparation"),
                    (("education", 1),), "tutoring", 1.2),
        Subcategory("driving-schools", "Driving Schools", "steering-wheel",
                    "Driving lessons and licence test preparation.",
                    ("{town} Driving School", "{last} Driving Academy", "{place} Driving School"),
                    (S("Driving lesson (1 hour)", 250, 400, 60), S("Learner's licence course", 800, 1500),
                     S("Test-day vehicle hire", 450, 800, 120), S("Code 08 package (10 lessons)", 2200, 3500)),
                    ("driving school", "driving lessons", "learner's licence", "code 08"),
                    (("education", 1),), "driving", 1.0),
        Subcategory("language-classes", "Language Classes", "languages",
                    "German, Afrikaans, Oshiwambo, Portuguese and English classes.",
                    ("{town} Language School", "{place} Language Centre", "Sprachschule {de_last}"),
                    (S("German conversation class", 200, 350, 60), S("Oshiwambo for beginners", 180, 300, 60),
                     S("Afrikaans lesson", 180, 300, 60), S("Portuguese for business", 220, 380, 60)),
                    ("languages", "German", "Oshiwambo", "Afrikaans", "classes"),
                    (("education", 1),), "tutoring", 0.6),
        Subcategory("computer-training", "Computer Training", "laptop",
                    "Computer literacy, office software and coding courses.",
                    ("{place} Computer Training", "{town} IT Academy", "{last} Computer School"),
                    (S("Introduction to computers class", 250, 450, 120), S("MS Office course (5 days)", 1800, 3500),
                     S("Excel for small business", 350, 600, 120), S("Coding for teens", 300, 500, 120)),
                    ("computer training", "IT", "office skills", "coding"),
                    (("education", 1),), "tutoring", 0.6),
    )),
    Category("fitness", "Fitness", "dumbbell", "#558B2F",
             "Gyms, yoga studios, martial arts and personal trainers.", 4, (
        Subcategory("gyms", "Gyms", "dumbbell",
                    "Gyms with classes and personal training.",
                    ("{town} Fitness Centre", "{place} Gym", "{suburb} Iron Gym", "{place} Health & Fitness"),
                    (S("Monthly membership", 350, 750), S("Day pass", 60, 120), S("Personal training session", 250, 450, 60),
                     S("Fitness assessment", 150, 300, 45)),
                    ("gym", "fitness", "weights", "personal training"),
                    (("gym", 1),), "gym", 1.2),
        Subcategory("yoga", "Yoga & Pilates", "flower-2",
                    "Yoga and pilates classes for all levels.",
                    ("{place} Yoga Studio", "Yoga with {first}", "{town} Pilates & Yoga"),
                    (S("Yoga class (drop-in)", 100, 180, 60), S("Private yoga session", 400, 650, 60),
                     S("Pilates class", 120, 200, 60), S("10-class card", 850, 1500)),
                    ("yoga", "pilates", "stretching", "wellness"),
                    (("gym", 1),), "gym", 0.6, female_names=True),
        Subcategory("martial-arts", "Martial Arts & Boxing", "swords",
                    "Karate, boxing and self-defence.",
                    ("{town} Karate Club", "{last} Boxing Academy", "{place} Martial Arts"),
                    (S("Karate class", 80, 150, 60), S("Boxing session", 120, 200, 60),
                     S("Self-defence workshop", 200, 400, 120), S("Monthly club fee", 300, 550)),
                    ("karate", "boxing", "martial arts", "self defence"),
                    (("gym", 1),), "gym", 0.6),
        Subcategory("personal-trainers", "Personal Trainers", "timer",
                    "Personal trainers and bootcamps.",
                    ("Fit with {first}", "{first_s} Bootcamp", "{place} Fitness Coaching"),
                    (S("Personal training session", 250, 450, 60), S("Bootcamp (monthly)", 450, 800),
                     S("Nutrition plan consultation", 300, 550, 45), S("Couples training session", 400, 650, 60)),
                    ("personal trainer", "bootcamp", "fitness", "weight loss"),
                    (("gym", 1),), "gym", 0.6),
    )),
)

# A subcategory takes its parent's colour; icons are lucide names.

DESCRIPTIONS = (
    "{name}, {where}, {town}. {sub_description}",
    "Welcome to {name}! {sub_description} Find us at {where}, {town}.",
    "Family-run and serving {town} since {year}. {sub_description}",
    "{sub_description} Part of {community} since {year}.",
)
DESCRIPTION_EXTRAS = (
    "Cash, card and e-wallet accepted.", "Parking in front of the shop.", "WhatsApp us for the fastest reply.",
    "Wheelchair accessible.", "We speak English, Afrikaans and Oshiwambo.", "Open on public holidays.",
    "Walk-ins welcome, bookings preferred.", "Ask about our pensioner discount.",
    "Bank transfer and MTC Maris accepted.",
    "Wir sprechen Deutsch.", "Free Wi-Fi for customers.", "Secure parking for bakkies and 4x4s.",
)

# ---------------------------------------------------------------- reviews

REVIEW_TITLES = {
    5: ("Sharp service!", "Highly recommended", "The best in town", "Worth every dollar", "Will be back",
        "Top class", "Excellent", "Lekker!", "Five stars from me", "Absolutely loved it"),
    4: ("Very good", "Good service", "Happy customer", "Nice experience", "Recommended", "Solid",
        "Good value", "Will come again"),
    3: ("Okay", "Average", "Not bad", "Could be better", "Mixed feelings", "It was fine"),
    2: ("Disappointed", "Not great", "Slow service", "Expected more", "Too pricey for what you get"),
    1: ("Not impressed", "Very bad experience", "Avoid", "Never again", "Terrible service"),
}
REVIEW_TEXTS = {
    5: ("Friendly staff and quick service. Best in {town}, I tell everyone about this place.",
        "Sharp sharp! Everything was done on time and the price was fair.",
        "I came all the way from {other} and it was worth the drive.",
        "Very professional, clean place and they explain everything. Highly recommend.",
        "Service with a smile every time. {staff} is a star.",
        "Booked on the app, arrived and they were ready for me. No waiting at all.",
        "Best service I have had in a long time. Ten out of ten.",
        "They went the extra mile for us. Thank you so much!"),
    4: ("Good service, just a short wait when I arrived. Will come back.",
        "Nice place and friendly people. A bit pricey but the quality is good.",
        "Happy with the work. Parking is a bit of a challenge on Saturdays.",
        "Good value for money. {staff} was very helpful.",
        "Solid service, they know what they are doing.",
        "Everything was fine, only the card machine was offline so bring cash."),
    3: ("It was okay. Nothing special but nothing bad either.",
        "Service was fine but we waited almost forty minutes even with a booking.",
        "Average. The price went up since my last visit.",
        "Decent, but they could communicate better on WhatsApp.",
        "Not bad. I have seen better in {other}."),
    2: ("Eish, the waiting was too long and nobody explained why.",
        "They said it would be ready by Friday, it took two weeks.",
        "Expected better for the price. The staff were friendly though.",
        "Booked for nine, they only started at half past ten."),
    1: ("Very disappointing. They did not honour my booking and nobody apologised.",
        "Poor service and rude staff. I will not be going back.",
        "Paid the full amount and the job had to be redone elsewhere.",
        "Closed during the advertised hours, twice. Wasted my taxi money."),
}
# Flavour for good (4-5) and bad (1-2) reviews, keyed by subcategory slug, else by category slug.
CATEGORY_REVIEW_TEXTS = {
    "braids": (("My knotless braids were so neat and lasted six weeks. Thank you meme!",
                "She did my cornrows in under two hours and they were not too tight.",
                "Beautiful box braids, everybody at work asked where I went."),
               ("My braids were too tight and my scalp was sore for days.",
                "They used less hair than we agreed and still charged full price.")),
    "barbers": (("Cleanest fade in {town}. The barber really takes his time.",
                 "Quick cut on a Saturday morning, no waiting with the booking."),
                ("Waited two hours past my booking time for a simple cut.",)),
    "nail-bars": (("My nails still look fresh after three weeks. Love it!",
                   "Lovely pedicure and the place is spotless."),
                  ("The gel started lifting after four days.",)),
    "spas": (("The massage was heavenly, I slept like a baby.",
              "Best facial I have had, my skin is glowing."),
             ("The room was cold and the massage was rushed.",)),
    "kapana-stands": (("Lekker kapana, the chilli salsa is the real deal!",
                       "Fresh meat, hot fat cakes and good vibes. The best stand in {town}."),
                      ("The meat was tough and very salty today.",)),
    "restaurants": (("The oryx steak was perfect, and the oshifima reminded me of home.",
                     "Great potjiekos and friendly waiters. Booked the private area for a birthday."),
                    ("Waited an hour for our food and it came cold.",)),
    "cafes": (("Best Apfelstrudel this side of the Swakop river.",
               "Good coffee and a proper full breakfast."),
              ("Coffee was lukewarm and the cake was dry.",)),
    "takeaways": (("Fat cakes fresh and hot, just like meme makes them.",
                   "Big portions and cheap. Chicken and chips hit the spot."),
                  ("Waited forty minutes for two burgers. Eish.",)),
    "auto-repair": (("Fixed my bakkie the same day and showed me the old parts. Honest people.",
                     "Fair quote, no surprises on the invoice. My go-to workshop now.",
                     "Sorted out my 4x4 before our trip to Etosha. Thank you!"),
                    ("Quoted N$1500, invoiced N$3200. Not happy.",
                     "Car came back with a new rattle. Had to take it back twice.")),
    "lodges-guesthouses": (("Beautiful sunsets, clean rooms and a great breakfast.",
                            "The sundowner drive was the highlight of our trip. We saw oryx and giraffe!",
                            "Quiet and peaceful, the hosts made us feel at home."),
                           ("No hot water for two days and the Wi-Fi never worked.",
                            "The room did not look like the photos at all.")),
    "safaris": (("Our guide knew every bird and animal. Unforgettable day.",
                 "We saw lions and rhino on the same drive. Worth every cent."),
                ("The vehicle broke down and we lost half the day.",)),
    "cultural-tours": (("Our guide grew up here and knew everybody. Loved the kapana stop.",
                        "Learnt so much about the history of {town}. Very moving."),
                       ("Rushed tour, the guide was on his phone the whole time.",)),
    "desert-adventures": (("Quad biking in the dunes was the best thing we did in Namibia.",
                           "The guide found a chameleon and a sidewinder for us. Amazing."),
                          ("The quad bikes were old and one broke down.",)),
    "boat-trips": (("The dolphins came right next to the boat, and the oysters were amazing.",
                    "A seal jumped on the boat! The kids loved every minute."),
                   ("Fog all morning and no refund offered.",)),
    "clinics": (("The doctor listened and took time to explain. No long queue.",),
                ("Waited three hours even with an appointment.",)),
    "dentists": (("Painless filling, the dentist was very gentle with my son.",),
                 ("Reception was rude and the appointment was rushed.",)),
    "pharmacies": (("Friendly pharmacist who actually explains the medication.",),
                   ("They never have my chronic medication in stock.",)),
    "physiotherapy": (("My back feels like new after three sessions.",),
                      ("Thirty minutes of a forty-five minute session. Not fair.",)),
    "legal-financial": (("Sorted out my tax return quickly and explained everything clearly.",
                         "Professional and patient. They helped us with the will and the property transfer."),
                        ("Took months to get answers to simple emails.",
                         "Charged for calls I did not expect to pay for.")),
    "plumbers": (("Came out on a Sunday for a burst geyser. Life savers!",),
                 ("The leak started again one week later.",)),
    "building-trades": (("Neat work, cleaned up after themselves and finished on time.",),
                        ("Never came back to finish the job.",)),
    "crafts-souvenirs": (("Beautiful carvings and fair prices. Bought gifts for the whole family.",
                          "The ladies explained how every piece is made. Lovely work."),
                         ("Same curios as everywhere, but double the price.",)),
    "venues": (("Our wedding was perfect, the garden was beautiful.",),
               ("The hall was not cleaned from the party before ours.",)),
    "catering": (("The food was delicious and there was plenty for everyone.",),
                 ("The caterer ran out of food before all the guests were served.",)),
    "photographers": (("Stunning photos, we cried when we saw the album.",),
                      ("Photos took three months to arrive.",)),
    "djs": (("The DJ kept the dance floor full until the early hours.",),
            ("Sound kept cutting out during the speeches.",)),
    "tutoring": (("My daughter went from a D to a B in maths in one term.",),
                 ("Classes were cancelled twice without notice.",)),
    "driving-schools": (("Patient instructor, I passed my driving test the first time!",),
                        ("The instructor arrived late for three lessons.",)),
    "education": (("Small classes and a teacher who really cares.",),
                  ("Classes were cancelled twice without notice.",)),
    "fitness": (("Great trainers and the equipment is always clean.",
                 "The morning class is the best start to my day."),
                ("Too crowded after work, you wait for every machine.",)),
}
RESPONSES_GOOD = (
    "Thank you so much, {first}! We look forward to seeing you again.",
    "Thank you for the kind words, it means a lot to our team.",
    "We appreciate your support! See you next time.",
    "Baie dankie! Come back soon.",
)
RESPONSES_BAD = (
    "We are sorry about your experience, {first}. Please WhatsApp us so we can make it right.",
    "Thank you for the feedback. We have spoken to the team and added more staff on Saturdays.",
    "Apologies for the wait. We are working on our booking schedule.",
)
MODERATION_NOTES = ("Contains personal contact details.", "Duplicate review.", "Off-topic content.")

CANCELLATION_REASONS = (
    "Customer asked to reschedule.", "Customer is travelling.", "Car broke down.",
    "Stylist off sick.", "Double-booked by mistake.", "Heavy rain.", "Family emergency.",
)
BOOKING_NOTES = (
    "Please call when you arrive.", "First visit.", "Will pay cash.", "Bringing my daughter as well.",
    "Running from work, might be 5 minutes late.", "Prefer the same stylist as last time.",
)

SYSTEM_SETTINGS = (
    # key, value, data_type, description, is_public
    ("reviews.auto_approve_verified", "true", "boolean",
     "Publish reviews linked to a completed booking without moderation.", False),
    ("reviews.min_count_for_average", "3", "integer",
     "Show a business's average rating only once it has this many approved reviews.", True),
    ("payments.platform_fee_percent", "5.0", "decimal", "Platform fee taken from each card or mobile payment.", False),
    ("bookings.pending_expiry_minutes", "30", "integer",
     "A pending booking not confirmed within this many minutes is cancelled.", False),
    ("site.default_currency", "NAD", "string", "Currency of new businesses and services.", True),
)
