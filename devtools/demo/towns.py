"""Places and invented name parts for the generated demo therapists.

Every name here is made up from parts that belong to no real person; the
places are real so that searches near them find someone.
"""

# Town centres outside the US (no offline postcode data there).
TOWN_CENTRES = {
    "Leeds": (53.7965, -1.5478),
    "London": (51.5085, -0.1257),
    "Toronto": (43.7001, -79.4163),
    "Manchester": (53.4808, -2.2426),
    "Bristol": (51.4545, -2.5879),
    "Edinburgh": (55.9533, -3.1883),
    "Vancouver": (49.2827, -123.1207),
    "Ottawa": (45.4215, -75.6972),
}

# (jurisdiction, country, region, ZIP codes or town names, how many therapists)
PLACES = [
    ("New York", "US", "", ("10003", "10025", "10128", "11217", "11375", "10463"), 8),
    ("Illinois", "US", "", ("60601", "60614", "60640", "60615", "60647"), 7),
    ("Texas", "US", "", ("77002", "77006", "77030", "77096", "77008"), 7),
    ("California", "US", "", ("90012", "90026", "90034", "90064", "91401"), 7),
    ("Washington", "US", "", ("98101", "98105", "98118", "98122"), 6),
    ("Pennsylvania", "US", "", ("19103", "19107", "19143", "19147"), 6),
    # Rural areas: small towns far from the big cities.
    ("Oregon", "US", "", ("97850", "97801"), 2),
    ("Nebraska", "US", "", ("69101",), 1),
    ("Maine", "US", "", ("04730",), 1),
    ("England", "GB", "England", ("Manchester", "Bristol"), 2),
    ("Scotland", "GB", "Scotland", ("Edinburgh",), 1),
    ("British Columbia", "CA", "BC", ("Vancouver",), 1),
    ("Ontario", "CA", "ON", ("Ottawa",), 1),
]

FIRST_NAMES = (
    "Albertine",
    "Barnaby",
    "Cordelia",
    "Desmond",
    "Elowen",
    "Florian",
    "Griselda",
    "Hollis",
    "Ingrid",
    "Jasper",
    "Kestrel",
    "Leopold",
    "Marisol",
    "Nathaniel",
    "Ottilie",
    "Perpetua",
    "Quentin",
    "Rosalind",
    "Severin",
    "Tabitha",
    "Ulric",
    "Valentina",
    "Wilhelmina",
    "Xanthe",
    "Yusuf",
    "Zinnia",
    "Ambrose",
    "Bettina",
    "Caspian",
    "Delphine",
    "Evander",
    "Fenella",
    "Gideon",
    "Honora",
    "Ignatius",
    "Juniper",
)
SURNAMES = (
    "Amberlough",
    "Brackenridge",
    "Cobblestone",
    "Dunmorrow",
    "Elderflower",
    "Fennimore-Quist",
    "Gorseway",
    "Hollowell-Pike",
    "Inglenook",
    "Juniperwick",
    "Kettleburn",
    "Larkspurrow",
    "Mossgrove",
    "Nettlebrook",
    "Orchardine",
    "Pebblethwaite",
    "Quincebury",
    "Rushlight",
    "Sorrelmead",
    "Thimbleby-Oduya",
    "Umberfield",
    "Vellacombe",
    "Willowmere",
    "Yarrowdale",
    "Zephyrine",
)
SCHOOLS = (
    "Willowbank Institute of Oncology Touch",
    "Lanternlight Palliative Touch School",
    "Harbourlight Demo Academy of Supportive Massage",
)
