"""What the demo network is made of: its platforms, machines and companies."""

from datetime import time

from bookings.models import CompanySize
from platforms.models import MachineCategory, Region

PASSWORD = "demo1234"

PLATFORMS = [
    ("usine-du-futur-lyon", "Plateforme Usine du Futur Lyon", Region.AUVERGNE_RHONE_ALPES, "Lyon"),
    ("fab-atelier-nantes", "Fab'Atelier Nantes", Region.PAYS_DE_LA_LOIRE, "Nantes"),
    ("technocampus-toulouse", "TechnoCampus Toulouse", Region.OCCITANIE, "Toulouse"),
    ("industrie-40-lille", "Plateforme Industrie 4.0 Lille", Region.HAUTS_DE_FRANCE, "Lille"),
    ("atelier-partage-strasbourg", "Atelier Partagé Strasbourg", Region.GRAND_EST, "Strasbourg"),
]

# name, category, manufacturer, model, hourly rate, slot, approval, qualification
MACHINES = [
    (
        "Imprimante 3D métal",
        MachineCategory.ADDITIVE_MANUFACTURING,
        "EOS",
        "M 290",
        120,
        60,
        True,
        True,
    ),
    (
        "Imprimante 3D FDM",
        MachineCategory.ADDITIVE_MANUFACTURING,
        "Ultimaker",
        "S5",
        25,
        30,
        False,
        False,
    ),
    (
        "Centre d'usinage 5 axes",
        MachineCategory.CNC_MACHINING,
        "DMG Mori",
        "DMU 50",
        95,
        60,
        False,
        True,
    ),
    (
        "Fraiseuse CNC grande vitesse",
        MachineCategory.CNC_MACHINING,
        "Datron",
        "M8Cube",
        70,
        30,
        False,
        False,
    ),
    (
        "Découpe laser CO2",
        MachineCategory.LASER_CUTTING,
        "Trotec",
        "Speedy 400",
        45,
        30,
        False,
        False,
    ),
    (
        "Découpe laser fibre",
        MachineCategory.LASER_CUTTING,
        "Trumpf",
        "TruLaser 1030",
        110,
        60,
        True,
        False,
    ),
    (
        "Robot collaboratif",
        MachineCategory.ROBOTICS,
        "Universal Robots",
        "UR10e",
        40,
        30,
        False,
        False,
    ),
    ("Bras robot industriel", MachineCategory.ROBOTICS, "KUKA", "KR 10 R1100", 60, 60, True, True),
    (
        "Machine à mesurer tridimensionnelle",
        MachineCategory.METROLOGY,
        "Zeiss",
        "Contura",
        80,
        60,
        True,
        False,
    ),
    (
        "Scanner 3D portable",
        MachineCategory.METROLOGY,
        "Creaform",
        "HandySCAN 3D",
        50,
        30,
        False,
        False,
    ),
    (
        "Four de refusion CMS",
        MachineCategory.ELECTRONICS,
        "Essemtec",
        "RO300FC",
        35,
        30,
        False,
        False,
    ),
    ("Presse à injection", MachineCategory.OTHER, "Arburg", "Allrounder 270", 65, 60, False, True),
]

COMPANIES = [
    ("Mécanique de Précision Rhône", "84", CompanySize.SMALL, "2562B"),
    ("Atelier Composites Atlantique", "52", CompanySize.MICRO, "2229A"),
    ("Robotique Garonne", "76", CompanySize.MEDIUM, "2822Z"),
    ("Plasturgie du Nord", "32", CompanySize.SMALL, "2229A"),
    ("Électronique Rhénane", "44", CompanySize.MICRO, "2612Z"),
    ("Prototypes Alsace Industrie", "44", CompanySize.INTERMEDIATE, "2899B"),
]

WEEKDAY_HOURS = [(time(8, 0), time(12, 0)), (time(13, 0), time(18, 0))]
