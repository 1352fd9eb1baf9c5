"""Engineering reference figures behind the tunnel model, each with its source.

Everything the tunnel model (:mod:`mapapp.engineering.tunnel`) and the UI use as a "typical" value —
gradient limits, rock cover, bore sizes, unit costs, TBM advance rates, benchmark tunnels —
is declared here as data, with the URLs it was taken from (compiled in the project's fact
base, ``shared/reference/bering-facts.md`` §4). Nothing here is computed from a model.

Every record is a frozen dataclass: the figure with its unit in the field name, the figure
as published, and ``sources`` (a tuple of URLs). The whole link's railheads and published
railway figures follow the same convention in :mod:`mapapp.link.data`, read from a data file.

Money
-----
Costs are kept **in the currency year of their source** (no inflation adjustment: no price
index is cited in the fact base, so none is applied). The only conversion made is the
Channel Tunnel's pound figure, converted with the dollar equivalent published beside it
(£9.5 bn ≈ US$14.5 bn, 1994). Ranges mixing 1994, 2003, 2010, 2019 and 2025 dollars
therefore understate the older figures in today's money.

Examples
--------
>>> UNIT_COSTS["channel_tunnel"].usd_m_per_km_low
287.4
>>> ADVANCE_RATES["channel_early"].m_per_day
8.57
>>> GRADE_LIMITS["road_eu"].max_grade_pct
5.0
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ADVANCE_RATES",
    "BENCHMARK_TUNNELS",
    "BORE_REFERENCES",
    "COVER_FIGURES",
    "FACT_BASE",
    "GRADE_LIMITS",
    "MODE_DEFAULTS",
    "UNIT_COSTS",
    "AdvanceRate",
    "BenchmarkTunnel",
    "BoreReference",
    "CoverFigure",
    "GradeLimit",
    "UnitCost",
    "sources_for",
]

#: Where these figures were compiled (in the repository's shared folder).
FACT_BASE = "shared/reference/bering-facts.md §4"

# ---------------------------------------------------------------------------- URLs
_CHANNEL = (
    "https://docslib.org/doc/13106232/the-channel-tunnel",
    "http://www.channeltunnel.co.uk/Faqs.asp",
)
_SEIKAN = (
    "https://en.wikipedia.org/wiki/Seikan_Tunnel",
    "https://profilpelajar.com/en/Seikan_Tunnel",
    "https://www.latimes.com/archives/la-xpm-1990-08-26-mn-305-story.html",
)
_GOTTHARD = (
    "https://slipradiumsk31.cfd/wiki/Special:Contributions/Medende",
    "http://www.didierruef.com/image/I0000DPENVbYy2T4",
    "https://lenews.ch/2014/11/22/1-hour-faster-to-milan/",
    "https://palestinetunnel.org/tag/update/",
)
_NORWAY = (
    "https://trid.trb.org/view/644566",
    "https://about.ita-aites.org/members/member-nations/154-norway/831-2013-activity-report",
    "https://tunnelsandtunnelling.com/analysis/atlantic-ocean-tunnels-in-norway",
    "http://www.bt.no/nyheter/lokalt/Tviler-pa-forbud-mot-bratte-tunneler-313564b.html",
)
_FEHMARN = (
    "https://darelhilal.com/Print/751332.aspx",
    "https://www.europesays.com/2026456",
)
_EU_ROAD = (
    ("https://legislation.gov.uk/eudr/2004/54/annex/I/division/1/adopted/data.xht"
    "?view=snippet&wrap=true"),
    "http://wordscope.be/anglais/francais/reinforced+tube.html",
)
_RAIL_GRADE = (
    "https://legislation.gov.uk/eur/2014/1299/contents/data.html",
    "https://probsee.com/p/Ruling_gradient",
)
_BORING_FAQ = (
    "https://www.boringcompany.com/faq",
    ("https://www.autoevolution.com/news/elon-musk-s-prufrock-makes-boring-exciting-with-"
    "porpoise-style-purpose-driven-drills-201894.html"),
)
_LVCC = (
    "https://elonnews.com/las-vegas-the-boring-companys-tunnel-updates",
    ("https://www.cnbc.com/2019/05/23/boring-co-lands-first-paying-customer-a-48point6-million-"
    "contract-in-las-vegas.html"),
    ("https://www.engadget.com/the-boring-company-completes-the-excavation-of-its-las-vegas-"
    "tunnels-121043367.html"),
)
_METACULUS = (("https://www.metaculus.com/questions/4692/when-will-the-boring-company-tunnel-"
              "faster-than-a-snail/"),)
_PRUFROCK = (
    "https://ilovetesla.com/the-boring-company-prufrock-iii-photo/",
    *_METACULUS,
)
_CLAIM_8BN = (
    "https://www.mexc.ee/news/trump-calls-kremlin-idea-for-a-russia-alaska-tunnel-interesting/133833",
    "https://ura.news/news/1053029551",
)
_CLAIM_2011 = (
    "http://world-news-post.blogspot.com/2011/08/russia-began-to-build-tunnel-that.html",
    "https://ura.news/news/1053029551",
)


# ---------------------------------------------------------------------------- records
@dataclass(frozen=True)
class GradeLimit:
    """A maximum longitudinal gradient.

    Attributes
    ----------
    key, label : str
        Identifier and display text.
    max_grade_pct : float
        Largest gradient, percent (1 % = 10 ‰ = 10 m per km).
    basis : str
        What the figure rests on, in plain words.
    sources : tuple of str
        URLs.
    assumption : bool
        True when no source gives this value for this use (the model flags it).
    """

    key: str
    label: str
    max_grade_pct: float
    basis: str
    sources: tuple[str, ...]
    assumption: bool = False


@dataclass(frozen=True)
class CoverFigure:
    """Rock cover between a subsea tunnel's crown and the seabed, metres."""

    key: str
    label: str
    cover_m_low: float
    cover_m_high: float
    basis: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class BoreReference:
    """A bore layout: ``bores`` is a tuple of (diameter m, count, role)."""

    key: str
    label: str
    bores: tuple[tuple[float, int, str], ...]
    basis: str
    sources: tuple[str, ...]
    assumption: bool = False


@dataclass(frozen=True)
class UnitCost:
    """A cost per kilometre of tunnel.

    Attributes
    ----------
    usd_m_per_km_low, usd_m_per_km_high : float
        US$ millions per km of tunnel (route length), in dollars of ``year``.
    year : int
        Currency year (no inflation adjustment is applied anywhere).
    basis : str
        ``"system"``: per km of the whole tunnel system as built (all its bores);
        ``"per_tube"``: per km of one tube (multiplied by the number of running bores).
    kind : str
        ``"built"`` (as-built outturn), ``"claim"`` (implied by a proponent's claim) or
        ``"goal"`` (a company's stated target).
    published : str
        The figure as published, before any derivation.
    derivation : str
        How the per-km value was obtained from the published figure.
    """

    key: str
    label: str
    usd_m_per_km_low: float
    usd_m_per_km_high: float
    year: int
    basis: str
    kind: str
    published: str
    derivation: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class AdvanceRate:
    """A TBM (or drill-and-blast) advance rate per face, metres per calendar day.

    ``kind`` says how to read it: ``"sustained"`` (long-run average), ``"early"`` (a
    project's start-up rate), ``"best_day"`` (a record day, not sustainable), ``"record"``
    (a record month), ``"target"`` (a goal not yet demonstrated), ``"actual"`` (measured
    on one project).
    """

    key: str
    label: str
    m_per_day: float
    kind: str
    published: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class BenchmarkTunnel:
    """A built (or building) tunnel to compare against. Lengths km, depths m."""

    key: str
    name: str
    opened: str
    length_km: float
    undersea_km: float | None
    below_seabed_m: str
    below_sea_level_m: float | None
    bores: str
    cost_published: str
    cost_per_km: str
    build_time: str
    sources: tuple[str, ...]


# ---------------------------------------------------------------------------- gradients
GRADE_LIMITS: dict[str, GradeLimit] = {
    g.key: g
    for g in (
        GradeLimit(
            "rail_mainline",
            "Mainline rail, 12.5 ‰",
            1.25,
            "EU TSI Infrastructure (Reg. 2014/1299 §4.2.3.3 'Maximum gradients') — the 12.5 ‰ "
            "value itself was not confirmed in the fact base; consistent with freight lines "
            "generally < 1.5 % and railways avoiding > 2 %. Gotthard Base: 0.676 % max.",
            _RAIL_GRADE + (_GOTTHARD[0],),
        ),
        GradeLimit(
            "road_eu",
            "Road tunnel, EU Directive 2004/54/EC",
            5.0,
            "Gradients ≤ 5 % mandatory for new TERN tunnels > 500 m unless geographically "
            "impossible. Norwegian subsea road tunnels reach 5–8.5 %.",
            _EU_ROAD,
        ),
        GradeLimit(
            "loop_assumed",
            "Loop (assumption)",
            8.0,
            "ASSUMPTION: no Boring Company maximum-gradient specification was found. 8 % is "
            "taken as an analogue of the steepest Norwegian subsea road tunnels (Bømlafjord "
            "8.5 %, Rogfast/Karmsund 5–7.4 %).",
            _NORWAY,
            assumption=True,
        ),
        GradeLimit(
            "gotthard",
            "Gotthard Base Tunnel (as built)",
            0.676,
            "Max 6.76 ‰ (south), 4.055 ‰ (north): a flat base tunnel.",
            (_GOTTHARD[0],),
        ),
        GradeLimit(
            "norway_steepest",
            "Norwegian subsea road, steepest (Bømlafjord)",
            8.5,
            "Max slopes 5–7.4 % (Karmsund, Rogfast), Bømlafjord 8.5 %.",
            _NORWAY,
        ),
    )
}

# ---------------------------------------------------------------------------- cover
COVER_FIGURES: dict[str, CoverFigure] = {
    c.key: c
    for c in (
        CoverFigure(
            "norway_rule",
            "Norwegian subsea practice (current rule)",
            50.0,
            50.0,
            "Early Norwegian subsea tunnels had as little as 20 m of rock cover; the current "
            "rule is ≥ 50 m.",
            (_NORWAY[0],),
        ),
        CoverFigure(
            "channel_tunnel",
            "Channel Tunnel",
            45.0,
            75.0,
            "Average 45 m, maximum 75 m below the seabed (chalk marl).",
            (_CHANNEL[1],),
        ),
        CoverFigure(
            "seikan",
            "Seikan Tunnel",
            100.0,
            100.0,
            "Track about 100 m below the seabed, 240 m below sea level.",
            (_SEIKAN[0],),
        ),
    )
}

# ---------------------------------------------------------------------------- bores
TWELVE_FT_M = 12 * 0.3048

BORE_REFERENCES: dict[str, BoreReference] = {
    b.key: b
    for b in (
        BoreReference(
            "channel_tunnel",
            "Channel Tunnel: 2 running + 1 service",
            ((7.6, 2, "running"), (4.8, 1, "service")),
            "2 × 7.6 m running tunnels and a 4.8 m service tunnel, 30 m apart (published "
            "diameters; the excavated diameters were larger, so volumes are lower bounds).",
            _CHANNEL,
        ),
        BoreReference(
            "road_twin",
            "Road: 2 tubes of ≈ 78 m²",
            ((9.97, 2, "running"),),
            "ASSUMPTION for a TBM: a circle with the 78 m² cross-section at the top of the "
            "43–78 m² range of Norwegian subsea road tubes (diameter √(4·78/π) = 9.97 m); "
            "two tubes as for long twin-tube road tunnels (EU 2004/54/EC cross-connections).",
            _NORWAY[:2] + _EU_ROAD[:1],
            assumption=True,
        ),
        BoreReference(
            "loop_twin",
            "Loop: 2 × 12 ft bores",
            ((round(TWELVE_FT_M, 2), 2, "running"),),
            "The Boring Company's ~12 ft (3.66 m) bore, twin tunnels as at the LVCC Loop.",
            _BORING_FAQ + _LVCC[:1],
        ),
    )
}

# ---------------------------------------------------------------------------- unit costs
UNIT_COSTS: dict[str, UnitCost] = {
    u.key: u
    for u in (
        UnitCost(
            "channel_tunnel",
            "Channel Tunnel (1994, all-in)",
            287.4,
            287.4,
            1994,
            "system",
            "built",
            "final £9.5 bn (≈ US$14.5 bn, 1994) incl. financing for 50.45 km; ≈ £188 M/km",
            "US$14.5 bn / 50.45 km = US$287.4 M/km (the published dollar equivalent; no "
            "exchange-rate or inflation source of our own). Includes financing and rolling "
            "stock (≈ ⅓ of the total), so it is an upper-end all-in figure.",
            _CHANNEL[:1],
        ),
        UnitCost(
            "gotthard_base",
            "Gotthard Base Tunnel (2010 US$)",
            178.7,
            185.7,
            2010,
            "system",
            "built",
            "≈ US$10.2–10.6 bn (2010) for 57.09 km (twin single-track tubes); ≈ US$180 M/km",
            "US$10.2–10.6 bn / 57.09 km.",
            _GOTTHARD[1:],
        ),
        UnitCost(
            "norway_subsea_road",
            "Norwegian subsea road tunnels (2003)",
            5.6,
            9.6,
            2003,
            "per_tube",
            "built",
            "US$5,600–9,600 per metre (2003), mostly single-tube drill-and-blast, ≤ 25 km",
            "As published, per metre × 1000; multiplied by the number of running bores.",
            _NORWAY[:1],
        ),
        UnitCost(
            "boring_lvcc",
            "Boring Company LVCC Loop (2019, as built)",
            17.4,
            19.3,
            2019,
            "system",
            "built",
            "1.7 mi of twin 12-ft tunnels + 3 stations ≈ US$47 M (contract $48.6 M) → "
            "≈ US$28–31 M per route-mile",
            "US$28–31 M per mile / 1.609344 km per mile. Shallow, dry, soft ground: excludes "
            "subsea lining, cover, ventilation shafts and Arctic logistics — a floor.",
            _LVCC,
        ),
        UnitCost(
            "claim_8bn",
            "Implied by the '< $8 bn' claim (2025)",
            71.4,
            80.0,
            2025,
            "system",
            "claim",
            "Dmitriev: Boring Company technology 'could reduce it to < $8B'; route 98–112 km",
            "US$8 bn / 112 km = 71.4 M/km; US$8 bn / 100 km = 80 M/km.",
            _CLAIM_8BN,
        ),
        UnitCost(
            "claim_2011",
            "Implied by the 2011 '$10–12 bn tunnel' claim",
            96.0,
            115.0,
            2011,
            "system",
            "claim",
            "tunnel alone US$10–12 bn (2011 reports), ≈ 104 km",
            "US$10–12 bn / ≈ 104 km (fact base worked check: ≈ 96–115 M/km).",
            _CLAIM_2011,
        ),
    )
}

# ---------------------------------------------------------------------------- advance rates
ADVANCE_RATES: dict[str, AdvanceRate] = {
    a.key: a
    for a in (
        AdvanceRate(
            "channel_early",
            "Channel Tunnel UK running TBMs, early (1989)",
            8.57,
            "early",
            "~60 m/week (60 / 7 = 8.57 m/day)",
            (("https://www.newscientist.com/article/mg12316762.500-slow-going-for-british-"
             "tunnellers-under-the-channel/"),),
        ),
        AdvanceRate(
            "boring_lvcc",
            "Boring Company LVCC 2nd tunnel (actual)",
            14.0,
            "actual",
            "≈ 14 m/day",
            _METACULUS,
        ),
        AdvanceRate(
            "norway_drill_blast",
            "Norwegian drill & blast, one face",
            15.3,
            "sustained",
            "5.8 km in 54 weeks from one face (5800 / 378 = 15.3 m/day)",
            ("https://www.taylorfrancis.com/books/9781315708133/chapters/10.1201/b20402-27",),
        ),
        AdvanceRate(
            "typical_sustained",
            "Typical TBM, sustained",
            18.0,
            "sustained",
            "typical TBMs ~18 m/day sustained",
            _METACULUS,
        ),
        AdvanceRate(
            "robbins_month",
            "Record month, 6.4 m Double Shield (Nepal 2023)",
            40.8,
            "record",
            "1,224 m in a month (June 2023: 1224 / 30 = 40.8 m/day)",
            ("https://www.therobbinscompany.com/category/news/",),
        ),
        AdvanceRate(
            "hard_rock_good",
            "Large-diameter hard-rock TBM, good days",
            56.0,
            "best_day",
            "best days 52 m (Lötschberg), 56 m (Gotthard), 61 m (Brenner exploratory)",
            ("http://www.krone.at/1684635",),
        ),
        AdvanceRate(
            "prufrock_target",
            "Boring Company Prufrock target",
            230.0,
            "target",
            "> 1 mile per week (1609 / 7 = 230 m/day), not demonstrated",
            _PRUFROCK,
        ),
    )
}

# ---------------------------------------------------------------------------- benchmarks
BENCHMARK_TUNNELS: dict[str, BenchmarkTunnel] = {
    b.key: b
    for b in (
        BenchmarkTunnel(
            "channel_tunnel", "Channel Tunnel", "1994", 50.45, 37.9, "avg 45, max 75", 115.0,
            "2 × 7.6 m running + 4.8 m service; cross-passages every 375 m",
            "estimate £4.8 bn (1985 prices); final £9.5 bn (≈ US$14.5 bn, 1994)",
            "≈ £188 M/km (1994, all-in)", "tunnelling 1988–1991; opened 1994 (~6–7 yr)",
            _CHANNEL,
        ),
        BenchmarkTunnel(
            "seikan", "Seikan Tunnel", "1988", 53.85, 23.3, "~100", 240.0,
            "double-track main tube + service tunnels; 2 undersea-approach stations",
            "¥538.4 bn planned → ¥745.5 bn actual (tunnel)", "≈ ¥13.8 bn/km (actual)",
            "decision 1971, opened 1988 (pilot work from 1964)", _SEIKAN,
        ),
        BenchmarkTunnel(
            "gotthard_base", "Gotthard Base Tunnel", "2016", 57.09, None,
            "mountain overburden up to 2,300 m", None,
            "2 single-track tubes; 2 multifunction stations at the third points",
            "CHF 9.74 bn (2014); ≈ US$10.2–10.6 bn (2010)", "≈ US$180 M/km",
            "1999 → 2016 (~17 yr)", _GOTTHARD,
        ),
        BenchmarkTunnel(
            "fehmarnbelt", "Fehmarnbelt (immersed, under construction)", "~2029", 18.0, 18.0,
            "trench to ~40 m depth", 40.0,
            "89–90 immersed elements; 2 road + 2 rail tubes + service tube",
            "€7.1 bn (2015 prices, Danish side)", "≈ €395–410 M/km", "2020–21 → ~2029",
            _FEHMARN,
        ),
        BenchmarkTunnel(
            "rogfast", "Rogfast (Norway, subsea road)", "u/c", 25.5, None, "—", 392.0,
            "twin tube", "—", "Norwegian subsea: US$5.6–9.6 M/km per tube (2003)", "—",
            _NORWAY,
        ),
    )
}

# ---------------------------------------------------------------------------- mode presets
#: Default model parameters per mode; every value names the reference it comes from.
MODE_DEFAULTS: dict[str, dict] = {
    "rail": {
        "grade_ref": "rail_mainline",
        "cover_ref": "norway_rule",
        "bores_ref": "channel_tunnel",
        "cost_refs": ("gotthard_base", "channel_tunnel"),
        "rate_refs": ("typical_sustained", "hard_rock_good"),
    },
    "road": {
        "grade_ref": "road_eu",
        "cover_ref": "norway_rule",
        "bores_ref": "road_twin",
        "cost_refs": ("norway_subsea_road", "gotthard_base"),
        "rate_refs": ("typical_sustained", "hard_rock_good"),
    },
    "loop": {
        "grade_ref": "loop_assumed",
        "cover_ref": "norway_rule",
        "bores_ref": "loop_twin",
        "cost_refs": ("boring_lvcc", "norway_subsea_road"),
        "rate_refs": ("boring_lvcc", "prufrock_target"),
    },
}


def sources_for(*keys: str) -> list[str]:
    """URLs of the references named by ``keys`` (looked up in every table), de-duplicated,
    in order.

    >>> sources_for("road_eu")[0].startswith("https://legislation.gov.uk/eudr/2004/54")
    True
    """
    tables = (GRADE_LIMITS, COVER_FIGURES, BORE_REFERENCES, UNIT_COSTS, ADVANCE_RATES,
              BENCHMARK_TUNNELS)
    out: list[str] = []
    for key in keys:
        for table in tables:
            ref = table.get(key)
            if ref is not None:
                out.extend(u for u in ref.sources if u not in out)
    return out


# ============================================================================ economics
# Figures behind the cost and schedule model (mapapp.economics.model), compiled in
# shared/reference/reference-class.md §B–§E. The reference class itself (lengths, costs with
# price years) is a table: geodata/economics/reference_class.csv.

_RC_CHANNEL_HINDSIGHT = "https://tunneltalk.com/Channel-Tunnel-Feb93-Hindsight-view.php"
_RC_GOTTHARD_DRIVES = ("https://paperzz.com/doc/8234673/amsteg---sedrun-bodio---faido-erstfeld"
                       "---amsteg-faido")
_RC_GOTTHARD_END = "https://www.tunneltalk.com/Gotthard-Baseline-Mar11-Excavation-finished.php"
_RC_BRENNER = ("https://www.bbt-se.com/en/information/news/detail/news/baustelle-mauls-rekord-"
               "vortrieb-der-tbm-virginia/")
_RC_KORALM = "https://www.dagensnaringsliv.se/20240113/189049/genombrott-i-osterrikisk-jarnvagstunnel"
_RC_KAWASAKI = "http://kawasaki.co.nz/announcement/1991-2/"
_RC_ROBBINS = "https://vi.scribd.com/document/406452514/13-OFTA-UDCC15"


@dataclass(frozen=True)
class SustainedRate:
    """A whole-drive average advance of one TBM (or face), metres per calendar day.

    ``project`` is the reference-class key (``geodata/economics/reference_class.csv``) the drive
    belongs to, so a leave-one-out backtest can drop it with its project.
    """

    key: str
    project: str
    label: str
    m_per_day: float
    published: str
    sources: tuple[str, ...]


#: Whole-drive averages of real drives (not record days): the schedule model's boring-rate range.
SUSTAINED_RATES: dict[str, SustainedRate] = {
    r.key: r
    for r in (
        SustainedRate("channel_uk_marine_s", "channel", "Channel Tunnel, UK marine running "
                      "tunnel south (chalk marl)", 25.6, "179 m/week average, best overall "
                      "(179 / 7 = 25.6 m/day)", (_RC_CHANNEL_HINDSIGHT,)),
        SustainedRate("gotthard_erstfeld_amsteg", "gotthard", "Gotthard, Erstfeld–Amsteg "
                      "(7.15 km)", 12.8, "4 Dec 2007 → 16 Jun 2009", (_RC_GOTTHARD_DRIVES,)),
        SustainedRate("gotthard_bodio_faido", "gotthard", "Gotthard, Bodio–Faido "
                      "(13.4 / 14.1 km)", 10.0, "Jan–Feb 2003 → Sep/Oct 2006",
                      (_RC_GOTTHARD_DRIVES,)),
        SustainedRate("gotthard_faido_sedrun", "gotthard", "Gotthard, Faido–Sedrun "
                      "(11.1 km, mean of east 9.3 and west 8.7)", 9.0,
                      "6 Jul 2007 → 15 Oct 2010 (east); ~Oct 2007 → 23 Mar 2011 (west)",
                      (_RC_GOTTHARD_DRIVES,)),
        SustainedRate("gotthard_all", "gotthard", "Gotthard, 4 TBMs together", 7.0,
                      "> 85 km, Jan 2003 – Mar 2011", (_RC_GOTTHARD_END,)),
        SustainedRate("brenner_virginia", "brenner", "Brenner, TBM Virginia (Ø 10.7 m, 14 km)",
                      10.2, "22 May 2019 → 30 Mar 2023", (_RC_BRENNER,)),
        SustainedRate("koralm_all", "koralm", "Koralm, 3 TBMs together", 5.9,
                      "45.48 km in 7 years per machine", (_RC_KORALM,)),
    )
}


@dataclass(frozen=True)
class FitOut:
    """Final breakthrough → public service, years (track, systems, testing, commissioning)."""

    key: str
    project: str
    label: str
    years: float
    published: str
    sources: tuple[str, ...]


FITOUT_DURATIONS: dict[str, FitOut] = {
    f.key: f
    for f in (
        FitOut("channel", "channel", "Channel Tunnel", 2.9,
               "last breakthrough Jun 1991 → open 6 May 1994",
               ("https://projectbritain.com/?p=489",
                "http://moneyweek.com/1-december-1990-breakthrough-in-the-channel-tunnel/")),
        FitOut("gotthard", "gotthard", "Gotthard Base Tunnel", 6.2,
               "15 Oct 2010 → service 11 Dec 2016",
               ("https://tunnel-online.info/de/artikel/artikel_1180432.html",
                "https://www.eda.admin.ch/aboutswitzerland/en/home/dossiers/"
                "bauwerk-im-dienste-europas.html")),
        FitOut("seikan", "seikan", "Seikan Tunnel", 3.0, "10 Mar 1985 → 13 Mar 1988",
               ("https://liquisearch.com/seikan_tunnel/history",)),
        FitOut("lotschberg", "lotschberg", "Lötschberg Base Tunnel", 2.6,
               "28 Apr 2005 → full service Dec 2007",
               ("https://www.swissinfo.ch/eng/loetschberg-base-tunnel-officially-opens/5949638",)),
        FitOut("koralm", "koralm", "Koralm Tunnel", 5.5, "17 Jun 2020 → 14 Dec 2025",
               ("https://kurier.at/chronik/oesterreich/prominente-premiere-erstmals-rollt-ein-"
                "personenzug-durch-den-koralmtunnel/402482192",)),
    )
}


@dataclass(frozen=True)
class OverrunStat:
    """A published mean real cost overrun (fraction: 0.45 = +45 %)."""

    key: str
    label: str
    mean_overrun: float
    published: str
    sources: tuple[str, ...]


OVERRUN_STATS: dict[str, OverrunStat] = {
    o.key: o
    for o in (
        OverrunStat("flyvbjerg2002_rail", "Rail (Flyvbjerg, Holm & Buhl 2002)", 0.45,
                    "258 projects; mean real overrun rail ~45 %",
                    ("https://fdocuments.us/document/cost-underestimation-in-public-works-"
                     "projects-error-or-lie.html",)),
        OverrunStat("flyvbjerg2002_fixed_links", "Fixed links: bridges and tunnels "
                    "(Flyvbjerg et al. 2002)", 0.34, "mean real overrun ~34 %",
                    ("https://fdocuments.us/document/cost-underestimation-in-public-works-"
                     "projects-error-or-lie.html",)),
        OverrunStat("flyvbjerg2002_roads", "Roads (Flyvbjerg et al. 2002)", 0.20,
                    "mean real overrun ~20 %",
                    ("https://fdocuments.us/document/cost-underestimation-in-public-works-"
                     "projects-error-or-lie.html",)),
    )
}


@dataclass(frozen=True)
class Fact:
    """A sourced number or statement the model shows as a warning or precedent."""

    key: str
    text: str
    value: float | None
    unit: str
    sources: tuple[str, ...]


FACTS: dict[str, Fact] = {
    f.key: f
    for f in (
        Fact("longest_undersea_drive", "longest undersea tunnel section ever built: Channel "
             "Tunnel, 37.9 km under the sea with no intermediate access", 37.9, "km",
             ("https://docslib.org/doc/13106232/the-channel-tunnel",
              "http://www.channeltunnel.co.uk/Faqs.asp")),
        Fact("longest_subsea_road", "longest and deepest subsea road tunnel (under "
             "construction): Rogfast, 26–27 km, to 392–396 m below sea level", 26.7, "km",
             ("https://www.nrk.no/rogaland/rogfast-vil-bli-dyrare-enn-planlagd-1.15985507",)),
        Fact("tbm_delivery", "Channel Tunnel TBMs: 13 months from contract to delivery; TBM "
             "delivery is often the critical path", 13.0, "months", (_RC_KAWASAKI, _RC_ROBBINS)),
        Fact("work_window", "outdoor construction in the strait likely limited to about 5 "
             "months a year; the strait generally clears of ice by late June, ice forms from "
             "October", 5.0, "months/year",
             ("http://www.liquisearch.com/bering_strait_crossing/technical_challenges",
              "http://www.alaskool.org/resources/regional/nw_reg_pro/seaice.html",
              "https://coldregionsresearch.tpub.com/CR96_03/CR96_030037.htm")),
        Fact("little_diomede", "Little Diomede: village of 83 people (2020), no runway, weekly "
             "helicopter; in 2015 more than a month without flights", 83.0, "people",
             ("https://www.adn.com/rural-alaska/article/little-diomede-goes-more-month-without-"
              "regular-flights/2015/02/25/", "http://en.m.wiki.x.io/wiki/Diomede_Heliport")),
        Fact("big_diomede", "Big Diomede (Ratmanov): no permanent population, an FSB border base; "
             "since 2018 Chukotka's border zone covers Ratmanov island", None, "",
             ("https://ermakvagus.com/Europe/Russia/big-dio.html",
              "https://www.ks87.ru/obshchestvo/8444")),
        Fact("seismicity", "a diffuse seismic belt runs from NW Alaska through the strait to "
             "Chukotka (northern Bering-microplate boundary); M5.0 about 21 mi south of Little "
             "Diomede; M7.3 Huslia 1958", 7.3, "magnitude",
             ("https://earthquake.alaska.edu/event/022bt6lpie",
              "https://www.nomenugget.net/news/no-damage-reported-after-50-earthquake-bering-strait",
              "https://www.stephan-mueller-spec-publ-ser.net/4/261/2009/")),
        Fact("subsea_permafrost", "sub-zero sediments in every Kotzebue Sound / Chukchi borehole "
             "since 1975; no survey of the strait itself; near shore frozen ground must be "
             "expected", None, "",
             ("https://studylib.net/doc/11668825/temperature-measurements-in-subsea-permafrost-"
              "off-the-coa...",)),
        Fact("freight_bore", "Channel Tunnel running tunnels for rail freight and shuttles: "
             "7.6 m inside diameter; a 12-ft (3.66 m) Loop bore cannot carry standard rail "
             "freight", 7.6, "m", ("http://www.channeltunnel.co.uk/Faqs.asp",
                                   "https://www.boringcompany.com/faq")),
    )
}


@dataclass(frozen=True)
class PublishedEstimate:
    """Another published estimate for the Bering Strait crossing: money as published, in
    billions of ``currency`` of ``price_year`` (always known here: the scorecard converts it to
    constant dollars), with the build time when given. The connecting railways' published
    costs are :class:`mapapp.link.data.PublishedCost`, read from the railhead data file (whole
    currency units, a length, maybe no year): the module notes there say why they differ."""

    key: str
    who: str
    what: str
    low_bn: float | None
    high_bn: float | None
    currency: str
    price_year: int
    years_low: float | None
    years_high: float | None
    sources: tuple[str, ...]


BERING_ESTIMATES: dict[str, PublishedEstimate] = {
    e.key: e
    for e in (
        PublishedEstimate("ter_martirosyan_2025", "Ter-Martirosyan (MGSU), 2025",
                          "tunnel $6–10 bn: boring $3–5 bn + systems $3–5 bn", 6.0, 10.0, "USD",
                          2025, None, None, ("https://life.ru/p/1800524",)),
        PublishedEstimate("razbegin_2025", "Razbegin, 2025",
                          "$7–8 bn up to $12–15 bn depending on scope; 7–15 years; plus ~6,000 km "
                          "of new rail for another $35–40 bn", 7.0, 15.0, "USD", 2025, 7.0, 15.0,
                          ("https://ura.news/news/1053029551",
                           "https://article.wn.com/view/WNAT2fc0ef568d8b95afdae94a373fcab3e0")),
        PublishedEstimate("dmitriev_traditional", "Dmitriev, 2025 (“traditional costs”)",
                          "“Traditional costs are $65B+”", 65.0, None, "USD", 2025, None, None,
                          ("https://www.mexc.ee/news/trump-calls-kremlin-idea-for-a-russia-"
                           "alaska-tunnel-interesting/133833",)),
        PublishedEstimate("tkm_2011", "TKM-World Link reports, 2011", "tunnel alone $10–12 bn; "
                          "10–15 years", 10.0, 12.0, "USD", 2011, 10.0, 15.0,
                          ("http://world-news-post.blogspot.com/2011/08/russia-began-to-build-"
                           "tunnel-that.html",)),
        PublishedEstimate("yakunin_2015", "Yakunin / TEPR, 2015", "tunnel $25–50 bn", 25.0, 50.0,
                          "USD", 2015, None, None,
                          ("https://www.theatlantic.com/technology/archive/2015/07/superhighway-"
                           "bering-strait-new-york-paris/397370/",)),
    )
}
