"""Generate a large, realistic-looking trilingual catalog for benchmarks (not demo data, not for tests).

Each service is one of ~40 kinds of wellbeing service (fi/sv/en name, keywords and sentences), placed in
a Finnish municipality, with an organizer, a target group and a varied description, so that the index
has a natural mix of rare and common words.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

KINDS: list[dict[str, Any]] = [
    {
        "fi": "Kuntosali",
        "sv": "Gym",
        "en": "Gym",
        "theme": "liikunta",
        "kw": (
            "kuntosali, voimaharjoittelu, kuntosalikortti",
            "gym, styrketräning",
            "gym, strength training",
        ),
    },
    {
        "fi": "Vesijumppa",
        "sv": "Vattengymnastik",
        "en": "Aqua gym",
        "theme": "liikunta",
        "kw": ("vesijumppa, uimahalli, allas", "vattengymnastik, simhall", "aqua gym, swimming pool"),
    },
    {
        "fi": "Tuolijumppa",
        "sv": "Stolgymnastik",
        "en": "Chair exercise",
        "theme": "liikunta",
        "kw": ("tuolijumppa, ikäihmiset, liikkuvuus", "stolgymnastik, seniorer", "chair exercise, seniors"),
    },
    {
        "fi": "Liikuntaneuvonta",
        "sv": "Motionsrådgivning",
        "en": "Exercise counselling",
        "theme": "neuvonta",
        "kw": (
            "liikuntaneuvonta, liikuntasuunnitelma",
            "motionsrådgivning",
            "exercise counselling, activity plan",
        ),
    },
    {
        "fi": "Sauvakävelyryhmä",
        "sv": "Stavgångsgrupp",
        "en": "Nordic walking group",
        "theme": "liikunta",
        "kw": ("sauvakävely, ulkoilu", "stavgång, friluft", "nordic walking, outdoors"),
    },
    {
        "fi": "Luontokävely",
        "sv": "Naturpromenad",
        "en": "Nature walk",
        "theme": "luonto",
        "kw": ("luonto, metsä, retki", "natur, skog, utflykt", "nature, forest, trip"),
    },
    {
        "fi": "Terveysmetsäretki",
        "sv": "Hälsoskogsutflykt",
        "en": "Health forest walk",
        "theme": "luonto",
        "kw": ("terveysmetsä, luontoliikunta", "hälsoskog", "health forest, nature"),
    },
    {
        "fi": "Marjaretki",
        "sv": "Bärutflykt",
        "en": "Berry picking trip",
        "theme": "luonto",
        "kw": ("marjastus, mustikka, puolukka", "bärplockning, blåbär", "berry picking, blueberries"),
    },
    {
        "fi": "Kalastuskerho",
        "sv": "Fiskeklubb",
        "en": "Fishing club",
        "theme": "luonto",
        "kw": ("kalastus, pilkki, onginta", "fiske, pimpelfiske", "fishing, ice fishing"),
    },
    {
        "fi": "Lukupiiri",
        "sv": "Läsecirkel",
        "en": "Reading circle",
        "theme": "kulttuuri",
        "kw": ("kirjasto, lukeminen, kirjat", "bibliotek, läsning, böcker", "library, reading, books"),
    },
    {
        "fi": "Kuoro",
        "sv": "Kör",
        "en": "Choir",
        "theme": "kulttuuri",
        "kw": ("laulu, kuoro, musiikki", "sång, kör, musik", "singing, choir, music"),
    },
    {
        "fi": "Musiikkiryhmä",
        "sv": "Musikgrupp",
        "en": "Music group",
        "theme": "kulttuuri",
        "kw": ("musiikki, soittaminen, kansanmusiikki", "musik, spela", "music, playing, folk music"),
    },
    {
        "fi": "Maalauskurssi",
        "sv": "Målarkurs",
        "en": "Painting course",
        "theme": "kulttuuri",
        "kw": ("taide, maalaus, kansalaisopisto", "konst, målning", "art, painting, adult education"),
    },
    {
        "fi": "Museokierros",
        "sv": "Museivisning",
        "en": "Museum tour",
        "theme": "kulttuuri",
        "kw": ("museo, historia, näyttely", "museum, historia, utställning", "museum, history, exhibition"),
    },
    {
        "fi": "Ruokakurssi",
        "sv": "Matlagningskurs",
        "en": "Cooking course",
        "theme": "ravinto-ja-uni",
        "kw": (
            "ruoanlaitto, terveellinen ruoka, ravitsemus",
            "matlagning, hälsosam mat",
            "cooking, healthy food",
        ),
    },
    {
        "fi": "Uniryhmä",
        "sv": "Sömngrupp",
        "en": "Sleep group",
        "theme": "ravinto-ja-uni",
        "kw": ("uni, unettomuus, unikoulu", "sömn, sömnlöshet", "sleep, insomnia"),
    },
    {
        "fi": "Lounaskerho",
        "sv": "Lunchklubb",
        "en": "Lunch club",
        "theme": "ravinto-ja-uni",
        "kw": ("lounas, yhteinen ateria, keittolounas", "lunch, gemensam måltid", "lunch, shared meal"),
    },
    {
        "fi": "Tupakasta vieroitusryhmä",
        "sv": "Rökavvänjningsgrupp",
        "en": "Quit smoking group",
        "theme": "ravinto-ja-uni",
        "kw": ("tupakka, nikotiini, lopettaminen", "rökning, nikotin, sluta", "smoking, nicotine, quit"),
    },
    {
        "fi": "Vertaistukiryhmä",
        "sv": "Kamratstödsgrupp",
        "en": "Peer support group",
        "theme": "mieli",
        "kw": (
            "vertaistuki, mielenterveys, keskustelu",
            "kamratstöd, psykisk hälsa",
            "peer support, mental health",
        ),
    },
    {
        "fi": "Kriisipuhelin",
        "sv": "Kristelefon",
        "en": "Crisis phone",
        "theme": "mieli",
        "kw": (
            "kriisiapu, keskusteluapu, ahdistus",
            "krishjälp, samtalsstöd, ångest",
            "crisis help, anxiety",
        ),
    },
    {
        "fi": "Päihdeneuvonta",
        "sv": "Missbruksrådgivning",
        "en": "Substance use advice",
        "theme": "mieli",
        "kw": (
            "päihteet, alkoholi, riippuvuus",
            "rusmedel, alkohol, beroende",
            "substances, alcohol, addiction",
        ),
    },
    {
        "fi": "Mielenterveystalo",
        "sv": "Mentalvårdshus",
        "en": "Mental health walk-in",
        "theme": "mieli",
        "kw": (
            "mielenterveys, masennus, matala kynnys",
            "psykisk hälsa, depression",
            "mental health, depression",
        ),
    },
    {
        "fi": "Ystävätoiminta",
        "sv": "Vänverksamhet",
        "en": "Befriending service",
        "theme": "yhteiso",
        "kw": ("ystävä, yksinäisyys, seura", "vän, ensamhet, sällskap", "friend, loneliness, company"),
    },
    {
        "fi": "Perhekahvila",
        "sv": "Familjecafé",
        "en": "Family café",
        "theme": "yhteiso",
        "kw": ("lapsiperheet, vauvat, vanhemmat", "barnfamiljer, bebisar", "families, babies, parents"),
    },
    {
        "fi": "Kohtaamispaikka",
        "sv": "Mötesplats",
        "en": "Meeting place",
        "theme": "yhteiso",
        "kw": ("kohtaaminen, kahvi, yhteisö", "möten, kaffe, gemenskap", "meeting, coffee, community"),
    },
    {
        "fi": "Vapaaehtoistoiminta",
        "sv": "Frivilligverksamhet",
        "en": "Volunteering",
        "theme": "yhteiso",
        "kw": ("vapaaehtoinen, auttaminen", "frivillig, hjälpa", "volunteer, helping"),
    },
    {
        "fi": "Diakoniatyö",
        "sv": "Diakoniarbete",
        "en": "Diaconal work",
        "theme": "yhteiso",
        "kw": (
            "seurakunta, diakonia, ruoka-apu",
            "församling, diakoni, mathjälp",
            "parish, diaconia, food aid",
        ),
    },
    {
        "fi": "Digituki ikäihmisille",
        "sv": "Digistöd för äldre",
        "en": "Digital support for seniors",
        "theme": "yhteiso",
        "kw": ("digituki, älypuhelin, tietokone", "digistöd, smarttelefon", "digital help, smartphone"),
    },
    {
        "fi": "Talous- ja velkaneuvonta",
        "sv": "Ekonomi- och skuldrådgivning",
        "en": "Money and debt advice",
        "theme": "toimeentulo",
        "kw": ("velka, talous, raha, budjetti", "skuld, ekonomi, pengar", "debt, money, budget"),
    },
    {
        "fi": "Työhönvalmennus",
        "sv": "Arbetscoachning",
        "en": "Employment coaching",
        "theme": "toimeentulo",
        "kw": ("työ, työnhaku, IPS", "arbete, jobbsökning", "work, job search, IPS"),
    },
    {
        "fi": "Kuntouttava työtoiminta",
        "sv": "Arbetsverksamhet i rehabiliteringssyfte",
        "en": "Rehabilitative work activity",
        "theme": "toimeentulo",
        "kw": ("työtoiminta, työttömyys", "arbetsverksamhet, arbetslöshet", "work activity, unemployment"),
    },
    {
        "fi": "Asumisneuvonta",
        "sv": "Boenderådgivning",
        "en": "Housing advice",
        "theme": "toimeentulo",
        "kw": ("asunto, vuokra, asuminen", "bostad, hyra, boende", "housing, rent, home"),
    },
    {
        "fi": "Opintojen ohjaus aikuisille",
        "sv": "Studiehandledning för vuxna",
        "en": "Study guidance for adults",
        "theme": "toimeentulo",
        "kw": ("opiskelu, koulutus, ohjaus", "studier, utbildning", "studying, education"),
    },
    {
        "fi": "Sosiaalineuvonta",
        "sv": "Socialrådgivning",
        "en": "Social counselling",
        "theme": "neuvonta",
        "kw": ("sosiaalityö, neuvonta, ohjaus", "socialarbete, rådgivning", "social work, advice"),
    },
    {
        "fi": "Elintapaohjaus",
        "sv": "Livsstilshandledning",
        "en": "Lifestyle guidance",
        "theme": "neuvonta",
        "kw": (
            "elintavat, painonhallinta, terveys",
            "levnadsvanor, viktkontroll",
            "lifestyle, weight management",
        ),
    },
    {
        "fi": "Kuntoutusneuvonta",
        "sv": "Rehabiliteringsrådgivning",
        "en": "Rehabilitation counselling",
        "theme": "neuvonta",
        "kw": ("kuntoutus, hakemus, Kela", "rehabilitering, ansökan", "rehabilitation, application"),
    },
    {
        "fi": "Terveysneuvonta",
        "sv": "Hälsorådgivning",
        "en": "Health counselling",
        "theme": "neuvonta",
        "kw": (
            "terveys, verenpaine, terveysasema",
            "hälsa, blodtryck, hälsostation",
            "health, blood pressure",
        ),
    },
    {
        "fi": "Linkkityö",
        "sv": "Länkarbete",
        "en": "Link work",
        "theme": "neuvonta",
        "kw": ("linkkityöntekijä, ohjaus palveluihin", "länkarbetare", "link worker, social prescribing"),
    },
]
GROUPS = [
    ("ikäihmisille", "för seniorer", "for seniors", "KR1.1"),
    ("lapsiperheille", "för barnfamiljer", "for families with children", "KR1.2"),
    ("nuorille", "för unga", "for young people", "KR1.3"),
    ("pitkäaikaissairaille", "för långtidssjuka", "for people with long-term illnesses", "KR1.4"),
    ("", "", "", "KR1"),
]
FI_SENTENCES = [
    "Toiminta on avointa kaikille, eikä ennakkoilmoittautumista tarvita.",
    "Ryhmää ohjaa koulutettu ohjaaja, joka huomioi jokaisen kunnon ja voimavarat.",
    "Tervetuloa mukaan yksin tai yhdessä ystävän kanssa.",
    "Tilat ovat esteettömät ja paikalle pääsee linja-autolla.",
    "Ilmoittaudu mukaan puhelimitse tai sähköpostilla.",
    "Kokoontumiset ovat viikoittain syys- ja kevätkaudella.",
    "Mukaan voi tulla myös kokeilemaan ennen sitoutumista.",
    "Toiminta toteutetaan yhteistyössä järjestöjen ja seurakunnan kanssa.",
]
SV_SENTENCES = [
    "Verksamheten är öppen för alla och ingen förhandsanmälan behövs.",
    "Gruppen leds av en utbildad ledare som tar hänsyn till allas kondition.",
    "Välkommen ensam eller tillsammans med en vän.",
    "Lokalerna är tillgängliga och man når dem med buss.",
    "Anmäl dig per telefon eller e-post.",
]
EN_SENTENCES = [
    "The activity is open to everyone and no registration is needed.",
    "A trained instructor leads the group and takes everyone's fitness into account.",
    "Come alone or with a friend.",
    "The premises are accessible and reachable by bus.",
    "Sign up by phone or e-mail.",
]
MUNICIPALITIES = [
    ("272", "Kokkola", "Karleby"),
    ("217", "Kannus", "Kannus"),
    ("236", "Kaustinen", "Kaustby"),
    ("074", "Halsua", "Halsua"),
    ("924", "Veteli", "Vetil"),
    ("584", "Perho", "Perho"),
    ("849", "Toholampi", "Toholampi"),
    ("421", "Lestijärvi", "Lestijärvi"),
    ("091", "Helsinki", "Helsingfors"),
    ("837", "Tampere", "Tammerfors"),
    ("564", "Oulu", "Uleåborg"),
    ("179", "Jyväskylä", "Jyväskylä"),
    ("905", "Vaasa", "Vasa"),
    ("638", "Porvoo", "Borgå"),
    ("853", "Turku", "Åbo"),
    ("297", "Kuopio", "Kuopio"),
]


def generate(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    services = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        group = rng.choice(GROUPS)
        code, town_fi, town_sv = rng.choice(MUNICIPALITIES)
        suffix_fi = f" {group[0]}" if group[0] else ""
        suffix_sv = f" {group[1]}" if group[1] else ""
        suffix_en = f" {group[2]}" if group[2] else ""
        fi_desc = " ".join(rng.sample(FI_SENTENCES, 3))
        sv_desc = " ".join(rng.sample(SV_SENTENCES, 2))
        en_desc = " ".join(rng.sample(EN_SENTENCES, 2))
        services.append(
            {
                "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "name_fi": f"{kind['fi']}{suffix_fi}, {town_fi} {i}",
                "name_sv": f"{kind['sv']}{suffix_sv}, {town_sv} {i}",
                "name_en": f"{kind['en']}{suffix_en}, {town_fi} {i}",
                "summary_fi": f"{kind['fi']} {town_fi}ssa. {kind['kw'][0].split(',')[0].capitalize()} lähellä sinua.",
                "summary_sv": f"{kind['sv']} i {town_sv}.",
                "summary_en": f"{kind['en']} in {town_fi}.",
                "description_fi": fi_desc,
                "description_sv": sv_desc,
                "description_en": en_desc,
                "keywords_fi": kind["kw"][0],
                "keywords_sv": kind["kw"][1],
                "keywords_en": kind["kw"][2],
                "theme": kind["theme"],
                "municipality": code,
                "target_group": group[3],
                "free": rng.random() < 0.6,
            }
        )
    return services


def load(n: int) -> int:
    """Insert ``n`` generated services into the current database (bulk, fast)."""
    from django.db import transaction

    from hyte.catalog.models import Organization, Service

    rows = generate(n)
    with transaction.atomic():
        org = Organization.objects.create(
            org_type=Organization.Type.COUNTY, name="Benchmark county", name_fi="Benchmark county"
        )
        fields = ("name", "summary", "description", "keywords")
        Service.objects.bulk_create(
            [
                Service(
                    id=r["id"],
                    organization=org,
                    free=r["free"],
                    name=r["name_fi"],
                    **{f"{f}_{lang}": r[f"{f}_{lang}"] for f in fields for lang in ("fi", "sv", "en")},
                )
                for r in rows
            ],
            batch_size=2000,
        )
        Themes = Service.themes.through
        Municipalities = Service.municipalities.through
        Groups = Service.target_groups.through
        Themes.objects.bulk_create(
            [Themes(service_id=r["id"], theme_id=r["theme"]) for r in rows], batch_size=5000
        )
        Municipalities.objects.bulk_create(
            [Municipalities(service_id=r["id"], municipality_id=r["municipality"]) for r in rows],
            batch_size=5000,
        )
        Groups.objects.bulk_create(
            [Groups(service_id=r["id"], targetgroup_id=r["target_group"]) for r in rows], batch_size=5000
        )
    return len(rows)
