"""A generated but realistic set of door input: Norwegian sentences on the usual topics, over areas and weeks.

Used by the demo (so a committee has something to look at), by the tests (which check the
dashboard's numbers against their own count of what was generated) and by the benchmark (a
million inputs). Each sentence comes from a known theme within its topic, so clustering can be
measured against it. Now and then a canvasser has typed a name or a phone number, as they do.
"""
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# topic → theme → ways residents put it.
SAYINGS: dict[str, dict[str, list[str]]] = {
    "bolig": {
        "husleie": ["Husleia har gått opp med tre tusen i år", "Leia er altfor høy for en vanlig lønn",
                    "Vi betaler nesten halve lønna i husleie", "Utleier øker husleia hvert år",
                    "Husleie spiser opp alt vi tjener"],
        "kjøpe bolig": ["Umulig for unge å kjøpe bolig i Oslo", "Datteren får aldri kjøpt leilighet her",
                        "Boligprisene stenger ute folk med vanlige jobber", "Egenkapitalkravet gjør det umulig å kjøpe",
                        "Unge har ikke råd til å kjøpe seg bolig"],
        "kommunale boliger": ["Flere kommunale boliger, ventelista er lang", "Ventet to år på kommunal bolig",
                              "Kommunen må bygge flere utleieboliger", "Trenger flere kommunale boliger i bydelen"],
    },
    "klima": {
        "sykkelveier": ["Tryggere sykkelveier til skolen", "Sykkelveien slutter midt i krysset",
                        "Vil ha egne sykkelfelt langs hovedveien", "Mangler sammenhengende sykkelveier"],
        "trær og grøntområder": ["Ikke hogg trærne i parken", "Bevar grøntområdene mot utbygging",
                                 "Parken må ikke bygges ned", "Flere trær og grøntområder i gatene"],
        "klimatiltak": ["Oslo må kutte utslippene raskere", "Klimatiltakene går for sakte",
                        "Vil ha mer solceller på kommunale bygg", "Kutt utslipp fra byggeplassene"],
    },
    "skole": {
        "lærere": ["For få lærere i klassene", "Trenger flere lærere i skolen",
                   "Lærerne har ikke tid til hver elev", "Mangel på lærere med utdanning"],
        "skolemat": ["Gratis skolemat til alle elever", "Barna får ikke nok mat på skolen",
                     "Vil ha et varmt måltid i skolen hver dag", "Skolemat ville hjulpet mange familier"],
        "vedlikehold av skolebygg": ["Skolebygget er slitt og trekker", "Taket på skolen lekker",
                                     "Gymsalen har vært stengt i et år", "Skolebyggene må pusses opp"],
    },
    "helse": {
        "fastlege": ["Får ikke fastlege", "Fastlegen har sluttet og ingen tar over",
                     "Venter uker på time hos fastlegen", "Mangler fastlege i bydelen"],
        "psykisk helse": ["Ungdom venter for lenge på psykisk helsehjelp", "Mer hjelp for psykisk helse til unge",
                          "Lange køer i psykiatrien", "Psykisk helsehjelp må bli lettere å få"],
        "legevakt": ["Legevakten er for langt unna", "Sitter timevis på legevakten",
                     "Trenger legevakt nærmere bydelen"],
    },
    "kollektivtransport": {
        "billettpris": ["Billettene er for dyre", "Billigere månedskort for pensjonister",
                        "Bussbilletten koster altfor mye", "Kollektivtransport burde vært gratis for unge"],
        "avganger": ["Bussen går for sjelden på kvelden", "Flere avganger på trikken i helgene",
                     "Nattbussen er lagt ned", "Bussen kommer bare hver halvtime"],
        "universell utforming": ["Rullestolbrukere kommer ikke på trikken", "Heisen på T-banen er alltid ødelagt",
                                 "Holdeplassen mangler benk og tak"],
    },
    "eldreomsorg": {
        "sykehjemsplass": ["Moren venter på sykehjemsplass", "For få sykehjemsplasser i bydelen",
                           "Ventet et år på plass på sykehjem", "Trenger flere sykehjemsplasser"],
        "hjemmetjenesten": ["Hjemmetjenesten har dårlig tid", "Nye folk fra hjemmetjenesten hver dag",
                            "Hjemmehjelpen rekker bare ti minutter", "Hjemmetjenesten må få mer tid"],
        "ensomhet": ["Mange eldre er ensomme", "Eldre sitter alene hele dagen",
                     "Savner møteplasser for eldre", "Flere aktivitetssentre mot ensomhet"],
    },
    "arbeidsliv": {
        "faste stillinger": ["Vil ha fast jobb, ikke innleie", "Bare midlertidige stillinger å få",
                             "Innleie må begrenses", "Hele faste stillinger i kommunen"],
        "lønn": ["Lønna holder ikke følge med prisene", "Renholderne tjener for lite",
                 "Likelønn for kvinneyrker", "Lavtlønte sakker akterut"],
    },
    "barnehage": {
        "barnehageplass": ["Fikk ikke barnehageplass nær hjemmet", "Barnehageplassen er på andre siden av byen",
                           "Venter på barnehageplass", "For få barnehageplasser i nabolaget"],
        "bemanning": ["For få voksne i barnehagen", "Bemanningen i barnehagen er for lav",
                      "Barnehagen mangler ansatte", "Flere barnehagelærere per barn"],
    },
    "økonomi": {
        "strømpris": ["Strømregningen er ikke til å leve med", "Strømprisen knekker oss",
                      "Høye strømpriser i vinter", "Strømmen koster mer enn maten"],
        "matpriser": ["Maten er blitt så dyr", "Matprisene har steget for mye",
                      "Har ikke råd til middag hver dag", "Dyr mat i butikken"],
        "skatt": ["De rikeste må betale mer skatt", "Formuesskatten må ikke kuttes",
                  "Vanlige folk betaler for mye skatt", "Skatt etter evne"],
    },
    "innvandring og integrering": {
        "norskopplæring": ["Mer norskopplæring for voksne", "Norskkursene har lang venteliste",
                           "Trenger norskkurs på kveldstid", "Gratis norskopplæring"],
        "arbeid for innvandrere": ["Innvandrere får ikke jobb tross utdanning",
                                   "Godkjenning av utdanning tar for lang tid",
                                   "Flere må få praksisplass og jobb", "Diskriminering i arbeidslivet"],
    },
}
# How canvassers open what they write down, and what they sometimes add that must be scrubbed.
OPENINGS = ["", "", "", "Mente at ", "Sa at ", "Synes ", "Opptatt av: ", "Beboer sier: "]
PERSONAL = [" Naboen Kari Hansen sier det samme.", " Ring meg på 912 34 567.", " Heter Ola Nordmann.",
            " Send gjerne e-post til ola.nordmann@example.no.", " Bor i Sannergata 5B."]
# How often a topic comes up compared with the others, and in which districts it weighs more.
WEIGHTS = {"bolig": 10, "økonomi": 8, "helse": 7, "kollektivtransport": 6, "eldreomsorg": 5, "klima": 5, "skole": 4,
           "barnehage": 3, "arbeidsliv": 3, "innvandring og integrering": 2}
LEANINGS = {"bolig": ("030101", "030102", "030103", "030104"), "eldreomsorg": ("030114", "030115"),
            "kollektivtransport": ("030110", "030111", "030112"), "klima": ("030105", "030107", "030108")}


@dataclass
class Area:
    postnummer: str
    district_number: str | None
    branch_id: int | None


@dataclass
class Generated:
    topics: list[str]
    themes: list[str]
    words: str
    importance: int | None
    postnummer: str
    district_number: str | None
    branch_id: int | None
    action_id: int | None
    recorded_at: datetime


def generate(count: int, areas: Sequence[Area], start: datetime, weeks: int, actions: Sequence[int | None] = (None,),
             seed: int = 2027) -> Iterator[Generated]:
    """`count` inputs spread over the areas and the weeks from `start`, on weekday evenings and weekends."""
    rng = random.Random(seed)
    topics = list(WEIGHTS)
    for _ in range(count):
        area = rng.choice(areas)
        weights = [WEIGHTS[t] * (3 if area.district_number in LEANINGS.get(t, ()) else 1) for t in topics]
        chosen = list(dict.fromkeys(rng.choices(topics, weights, k=rng.choice((1, 1, 1, 2, 2, 3)))))
        themes, sentences = [], []
        for topic in chosen:
            theme = rng.choice(list(SAYINGS[topic]))
            themes.append(theme)
            sentences.append(rng.choice(SAYINGS[topic][theme]))
        words = rng.choice(OPENINGS) + ". ".join(sentences) + "." if rng.random() < 0.85 else ""
        if words and rng.random() < 0.05:
            words += rng.choice(PERSONAL)
        day = start + timedelta(days=rng.randrange(weeks * 7))
        yield Generated(topics=chosen, themes=themes, words=words, importance=rng.choice((None, 1, 2, 2, 3, 3)),
                        postnummer=area.postnummer, district_number=area.district_number, branch_id=area.branch_id,
                        action_id=rng.choice(actions),
                        recorded_at=day.replace(hour=rng.randrange(15, 19), minute=rng.randrange(60)))
