"""Data and pure logic for the synthetic demo commune: name pools, village templates, rates.

Nothing here touches files or the database; :mod:`fieldapp.services.demo` draws from these with a
seeded ``random.Random`` and writes the rows. Every value drawn is a code from
:mod:`fieldapp.core.codes`; what people answer in the household survey (in the survey's own
codes) is drawn by :mod:`fieldapp.core.demo_answers` with the rates below.

The seeds give no population totals and no shares for individual ethnic groups (DOMAIN.md §4,
§7), so village sizes are relative weights scaled to the requested number of households, and the
ethnic mixes below are illustrative, not statistics.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from fieldapp.core import demo_pin as _demo_pin

# Ages are computed against this year; the demo clock starts on DEMO_EPOCH (2026-03-01 UTC).
DEMO_YEAR = 2026
DEMO_EPOCH = 1772323200.0

PROVINCE = "Lạng Sơn"
COMMUNE_NAMES = ("Xã Tân Thành (demo)", "Xã Bình Phúc (demo)", "Xã Hồng Phong (demo)",
                 "Xã Khánh Xuân (demo)")
# Communes merged on 1/7/2025 keep their former units as legacy names (DOMAIN.md §3).
COMMUNE_LEGACY = {
    "Xã Tân Thành (demo)": ["Xã Tân Thành (cũ)", "Xã Hòa Lạc (cũ)"],
    "Xã Bình Phúc (demo)": ["Xã Bình Phúc (cũ)", "Xã Tân Lập (cũ)"],
    "Xã Hồng Phong (demo)": ["Xã Hồng Phong (cũ)", "Xã Minh Khai (cũ)", "Xã Tú Xuyên (cũ)"],
    "Xã Khánh Xuân (demo)": ["Xã Khánh Xuân (cũ)", "Xã Thụy Hùng (cũ)"],
}

# ----------------------------------------------------------------------------------------------
# Rates. Each is the probability for a working-age person (or a household) in a non-remote
# village; the factors below lower it for remote villages, highland groups and older people, so
# commune-wide averages come out somewhat below the provincial figures. "Assumed" marks a number
# the seeds do not give (DOMAIN.md says so for that row); those are plausible placeholders.
# ----------------------------------------------------------------------------------------------
RATES = {
    # §1 row 1: 846,791 of 929,878 subscriptions are smartphones (91.15%), 004:302. Used as the
    # share of working-age people (15-59) with a smartphone of their own or shared.
    "smartphone": 0.9115,
    # Of smartphone users, the share whose phone is their own rather than a family phone. Assumed.
    "smartphone_own": 0.88,
    # §1 row 3: 80.6% of households have fibre, 004:302.
    "fibre": 0.806,
    # §1 row 4: "some highland villages have no electricity", 001:137, 141. Rate assumed.
    "grid_power": 0.99,
    # §1 row 2: every commune has coverage, dead spots remain, 001:103, 004:198. Split assumed.
    # (codes of the survey's "signal" list)
    "signal": {"mobile_5g": 0.15, "mobile_4g": 0.75, "weak": 0.08, "none": 0.02},
    # §1 row 5: >72% of adults have e-payment, 001:109. Applied to adults who use the internet
    # on a smartphone, scaled up so working-age adults reach about 72%: 0.72 / 0.9115 / 0.96.
    "epayment_adult": 0.72 / 0.9115 / 0.96,
    # §1 row 6: >90% of fixed business points accept QR, 001:109.
    "qr_payment_shop": 0.90,
    # Share of households running a shop or stall. Assumed.
    "has_shop": 0.12,
    # §1 row 8: ĐB issued CCCD to 100%, 003:237-240; kept just under 1 for the not-yet-renewed.
    "cccd_adult": 0.97,
    # §1 row 9: no LS rate; YB has >396,000 level-2 accounts (001:47), about half its people.
    "vneid": {"level2": 0.55, "level1": 0.20, "none": 0.25},
    # §1 row 10: YB ~80% of smartphone users use e-government (001:47); times the assumed 45% of
    # adults who had a procedure to file in the last 12 months. Among internet users.
    "dvc": 0.80 * 0.45,
    "dvc_alone": 0.45,  # of DVC users, filed alone rather than with help. Assumed.
    # §1 row 11: YB 20% of people have a personal digital signature, 001:47 (applied to adult
    # internet users, scaled by 1 / 0.9115).
    "digital_signature": 0.20,
    # §1 row 12: no install rate in the seeds. Assumed, among smartphone users.
    "cds_app": 0.45,
    # §1 row 16: >95% of people have an e-health record, 004:266; seeing it needs VNeID level 2.
    "ehealth": 0.95,
    # §1 row 17: internet use given a smartphone (own / shared). Assumed.
    "internet_own": 0.96,
    "internet_shared": 0.65,
    # §1 row 14: target >50% of households selling online by 2025 (002:181); no outcome in the
    # seeds, so a lower assumed actual.
    "sells_online": 0.30,
    # §1 row 15: target 100% by 2025 (002:200); the outcome is in the missing Appendix III.
    "digital_address": 0.70,
    # §1 row 19: awareness goal only (002:436). Assumed.
    "scam_aware": 0.55,
    "trained": 0.30,
    # §4: 13,112 poor households get subsidised telecom (004:174); no rate. Assumed split.
    "poor": 0.07,
    "near_poor": 0.08,
    # Households whose head gives a phone number (of those with a smartphone). Assumed.
    "phone_given": 0.6,
    # §1 row 10: SIPAS public-service satisfaction 79.19% (001:89): satisfied or very satisfied.
    "dvc_satisfaction": {"very_satisfied": 0.25, "satisfied": 0.54, "neutral": 0.14,
                         "dissatisfied": 0.05, "very_dissatisfied": 0.01, "dont_know": 0.01},
    # §1 row 13: only a target (100% supported by a virtual assistant, 002:191). Assumed, among
    # smartphone users.
    "chatbot": 0.12,
    # §1 row 16: seeing the record on a phone needs VNeID level 2 and the internet. Assumed.
    "ehealth_seen": 0.60,
    # §1 row 7: electricity 59.84% (004:272), hospital 75.15% of fee value (004:264), school
    # fees cashless at every school (004:266): per household with an e-payment user. Water
    # bills are rare in villages without piped water. Assumed shares.
    "cashless": {"electricity": 0.75, "water": 0.30, "school": 0.85, "hospital": 0.25},
    # §1 row 18: YB 81.3% of business households pay tax by app (001:61); e-invoices assumed.
    "tax_app": 0.813,
    "e_invoice": 0.50,
    # Adults working away whom nobody at home can answer for; proxies for the old. Assumed.
    "absent_working_age": 0.05,
    "proxy": 0.25,
    "proxy_old": 0.6,
    # "Don't know" answers, mostly from proxies. Assumed.
    "dont_know": 0.02,
    # A household that declines one of the questions about everyone. Assumed.
    "refused": 0.01,
    # §9: adults without a smartphone who had a procedure filed online for them (by a relative
    # or at the commune office) in the last 12 months. Assumed.
    "dvc_via_office": 0.10,
    # Later rounds: a year of support sessions and classes (assumed yearly progress).
    "progress": {"id_level2": 0.30, "smartphone": 0.08, "epayment": 0.15, "dvc": 0.10,
                 "cds": 0.15, "trained": 0.20, "scam": 0.30, "fibre": 0.15,
                 "digital_address": 0.30, "sells_online": 0.05},
    # Share of households visited again in the second round, and how the visits end.
    "second_round": 0.35,
    "second_round_remote": 0.25,
    "visit": {"yes": 0.92, "no": 0.03, "nobody_home": 0.04, "moved": 0.007, "vacant": 0.003},
    "revisit": 0.70,  # a "nobody home" visit followed by a revisit that finds them
    "member_moved": 0.04,
    "member_died_old": 0.03,  # of people aged 75 and over, between the rounds
}

# Remote villages have lower rates (000:342-344; DOMAIN.md §7 asks for it without a number).
REMOTE_FACTOR = 0.75
# Dao and H'Mông villages sit higher up; language and literacy barriers (003:110-113, 001:137).
HIGHLAND_FACTOR = 0.85
# Poverty in remote villages: poor and near-poor rates are multiplied by this.
REMOTE_POVERTY_FACTOR = 2.5
REMOTE_SIGNAL = {"mobile_5g": 0.02, "mobile_4g": 0.50, "weak": 0.33, "none": 0.15}
REMOTE_GRID_POWER = 0.88
REMOTE_FIBRE = 0.45


def age_factor(age: int) -> float:
    """Older people use fewer digital services (001:165 names the elderly as a target group)."""
    if age < 60:
        return 1.0
    if age < 70:
        return 0.75
    if age < 80:
        return 0.45
    return 0.25


ADULT_AGE = 18
CCCD_AGE = 14  # the chip ID card is compulsory from 14

# ----------------------------------------------------------------------------------------------
# Villages. Profiles give the ethnic mix; weights give relative household counts.
# ----------------------------------------------------------------------------------------------
PROFILES = {
    "tay": {"tay": 70, "nung": 15, "kinh": 10, "dao": 5},
    "nung": {"nung": 68, "tay": 17, "kinh": 10, "hoa": 3, "san_chay": 2},
    "dao": {"dao": 82, "tay": 7, "nung": 7, "hmong": 4},
    "kinh": {"kinh": 50, "tay": 25, "nung": 20, "hoa": 5},
}
HIGHLAND_ETHNICITIES = frozenset({"dao", "hmong"})


@dataclass(frozen=True)
class VillageTemplate:
    name: str
    kind: str          # a code of codes.VILLAGE_KINDS
    profile: str       # a key of PROFILES
    remote: bool = False
    weight: int = 100  # relative number of households
    legacy_names: tuple[str, ...] = field(default_factory=tuple)


# The first CORE_VILLAGES always appear so every demo has a road-side Kinh village, a merged
# village with legacy names, Tày and Nùng villages, a remote Dao and a remote Nùng village.
VILLAGE_TEMPLATES = (
    VillageTemplate("Thôn Phố Mới", "thon", "kinh", weight=160),
    VillageTemplate("Bản Khuông", "ban", "tay", weight=140,
                    legacy_names=("Khuông Thượng", "Khuông Hạ")),
    VillageTemplate("Bản Nà Pàn", "ban", "tay", weight=110),
    VillageTemplate("Bản Pác Cáp", "ban", "nung", weight=95),
    VillageTemplate("Bản Khuổi Mỏ", "ban", "dao", remote=True, weight=55),
    VillageTemplate("Bản Cốc Lùng", "ban", "nung", remote=True, weight=60),
    VillageTemplate("Thôn Đồng Tâm", "thon", "kinh", weight=130,
                    legacy_names=("Thôn Đồng Tiến", "Thôn Tân Tiến")),
    VillageTemplate("Bản Pò Mục", "ban", "nung", weight=80),
    VillageTemplate("Bản Nà Lầu", "ban", "tay", weight=100),
    VillageTemplate("Bản Lũng Vài", "ban", "dao", remote=True, weight=45),
    VillageTemplate("Bản Khòn Phạ", "ban", "tay", weight=90,
                    legacy_names=("Khòn Phạ", "Nà Phạ")),
    VillageTemplate("Thôn Trung Tâm", "thon", "kinh", weight=150),
    VillageTemplate("Bản Nà Thang", "ban", "tay", weight=85),
    VillageTemplate("Bản Pác Khuông", "ban", "nung", weight=75),
    VillageTemplate("Bản Khuổi Luông", "ban", "dao", remote=True, weight=40),
    VillageTemplate("Bản Còn Nưa", "ban", "nung", remote=True, weight=50),
    VillageTemplate("Bản Nà Canh", "ban", "tay", weight=95),
    VillageTemplate("Bản Pò Háng", "ban", "nung", weight=70,
                    legacy_names=("Pò Háng Trên", "Pò Háng Dưới")),
    VillageTemplate("Bản Lũng Cút", "ban", "dao", remote=True, weight=35),
    VillageTemplate("Thôn Bó Củng", "thon", "tay", weight=105),
    VillageTemplate("Bản Nà Slảng", "ban", "tay", remote=True, weight=65),
    VillageTemplate("Bản Kéo Cọn", "ban", "nung", weight=85),
)
CORE_VILLAGES = 6
MIN_VILLAGES, MAX_VILLAGES = 8, 15


def pick_villages(rng: random.Random) -> list[VillageTemplate]:
    """8-15 villages: the core ones plus a seeded sample of the rest, in template order."""
    count = rng.randint(MIN_VILLAGES, MAX_VILLAGES)
    extra = rng.sample(range(CORE_VILLAGES, len(VILLAGE_TEMPLATES)), count - CORE_VILLAGES)
    chosen = sorted([*range(CORE_VILLAGES), *extra])
    return [VILLAGE_TEMPLATES[i] for i in chosen]


def split_households(rng: random.Random, villages: list[VillageTemplate], total: int) -> list[int]:
    """Household count per village: template weight with +-30% jitter, summing exactly to total."""
    weights = [v.weight * rng.uniform(0.7, 1.3) for v in villages]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(r) for r in raw]
    # Largest remainders get the households lost to rounding down.
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


# ----------------------------------------------------------------------------------------------
# Names. Weighted surnames; middle names by sex; given names by sex, with an older set of local
# names for people born before 1975 among Tày, Nùng and Dao. All strings are NFC.
# ----------------------------------------------------------------------------------------------
_KINH_GIVEN = {
    "male": ("Hùng", "Dũng", "Tuấn", "Thắng", "Cường", "Hải", "Long", "Nam", "Sơn", "Minh",
             "Quân", "Phong", "Hiếu", "Trung", "Đức", "Tùng", "Thành", "Huy", "Khánh", "Bình",
             "An", "Lâm", "Mạnh", "Toàn", "Vinh", "Quyết", "Tài", "Hưng", "Kiên", "Đạt"),
    "female": ("Lan", "Hương", "Mai", "Hoa", "Huyền", "Trang", "Hạnh", "Ngọc", "Thảo", "Linh",
               "Yến", "Nhung", "Thủy", "Hằng", "Phương", "Hà", "Vân", "Loan", "Oanh", "Nga",
               "Dung", "Liên", "Quỳnh", "Chi", "Ánh", "Thơm", "Hiền", "Tâm", "Duyên", "Giang"),
}
_YOUNG_MIDDLE = {
    "male": ("Minh", "Gia", "Bảo", "Đức", "Quang", "Anh", "Tuấn", "Hoàng"),
    "female": ("Ngọc", "Thu", "Khánh", "Bảo", "Minh", "Phương", "Thanh", "Mai"),
}
_TAY_NUNG_OLD = {
    "male": ("Páo", "Pằn", "Slao", "Sào", "Lìu", "Chắn", "Lẻng", "Pẻng", "Sinh", "Tắm", "Sửu",
             "Dần", "Mão", "Thìn", "Khoa", "Sáng", "Quảng", "Vượng"),
    "female": ("Nhì", "Mìu", "Lìn", "Mẩy", "Nhất", "Sáu", "Tắm", "Dần", "Mão", "Slinh",
               "Pèng", "Cúc", "Xuân", "Thoa", "Mây", "Nhình"),
}

NAME_POOLS: dict[str, dict] = {
    "kinh": {
        "surnames": {"Nguyễn": 38, "Trần": 11, "Lê": 9, "Phạm": 7, "Hoàng": 5, "Vũ": 4,
                     "Đặng": 2, "Bùi": 2, "Đỗ": 2, "Hồ": 1, "Ngô": 1, "Dương": 1, "Lý": 1,
                     "Đinh": 1},
        "middle": {"male": {"Văn": 45, "Đức": 10, "Minh": 8, "Quang": 7, "Xuân": 6,
                            "Hữu": 6, "Thanh": 5, "Ngọc": 4, "Công": 4},
                   "female": {"Thị": 60, "Thu": 8, "Ngọc": 7, "Thanh": 6, "Minh": 4,
                              "Phương": 4, "Hồng": 4}},
        "given": _KINH_GIVEN,
    },
    "tay": {
        "surnames": {"Hoàng": 20, "Nông": 15, "Hà": 8, "Lương": 8, "Vi": 6, "Lộc": 6,
                     "Hứa": 5, "Đinh": 5, "Bế": 4, "Đàm": 4, "Ma": 4, "Triệu": 4, "Lục": 4,
                     "Chu": 3, "Dương": 3, "Mạc": 2, "Tô": 2, "Lăng": 2},
        "middle": {"male": {"Văn": 75, "Đức": 6, "Minh": 5, "Xuân": 4, "Hữu": 4},
                   "female": {"Thị": 85, "Thu": 4, "Ngọc": 4, "Hồng": 3}},
        "given": _KINH_GIVEN,
        "given_old": _TAY_NUNG_OLD,
    },
    "nung": {
        "surnames": {"Hoàng": 18, "Nông": 10, "Lăng": 8, "Lý": 8, "Vy": 8, "Chu": 6, "Mã": 5,
                     "Hà": 5, "Lục": 5, "Lộc": 4, "Hứa": 4, "Vương": 3, "Dương": 3,
                     "Triệu": 3, "Lành": 2, "Mông": 2, "Sầm": 2},
        "middle": {"male": {"Văn": 80, "Đức": 5, "Minh": 4, "Xuân": 3},
                   "female": {"Thị": 88, "Thu": 3, "Ngọc": 3}},
        "given": _KINH_GIVEN,
        "given_old": _TAY_NUNG_OLD,
    },
    "dao": {
        "surnames": {"Triệu": 35, "Bàn": 20, "Đặng": 18, "Lý": 12, "Phùng": 6, "Chảo": 5,
                     "Hoàng": 3, "Dương": 1},
        "middle": {"male": {"Văn": 65, "Tòn": 15, "Tà": 10, "Phúc": 10},
                   "female": {"Thị": 92, "Mùi": 8}},
        "given": {
            "male": ("Sinh", "Quẩy", "Phin", "Tá", "Chiêu", "Lìu", "Vàng", "Sài", "Lù", "Phú",
                     "Dếnh", "Quý", "Khé", "Tiến", "Hưng", "Thắng", "Nhất", "Slằn", "Chòi",
                     "Phấy"),
            "female": ("Mẩy", "Mùi", "Nhất", "Chài", "Liềm", "Dìu", "Lai", "Nguyệt", "Xuân",
                       "Hoa", "Tấm", "Dung", "Nhị", "Phấy", "Mai", "Lìn"),
        },
    },
    "hmong": {
        "surnames": {"Giàng": 25, "Vàng": 20, "Lý": 15, "Sùng": 15, "Thào": 10, "Hầu": 8,
                     "Mùa": 7},
        "middle": {"male": {"A": 50, "Văn": 30, "Seo": 20},
                   "female": {"Thị": 70, "Mí": 30}},
        "given": {
            "male": ("Pao", "Dính", "Chứ", "Sính", "Tủa", "Chá", "Lử", "Vảng", "Páo", "Sử",
                     "Dế", "Tráng"),
            "female": ("Mỷ", "Dợ", "Sua", "Pà", "Chía", "Mai", "Dua", "Say", "Mò", "Súa"),
        },
    },
    "san_chay": {
        "surnames": {"Hoàng": 20, "Lâm": 15, "La": 12, "Trần": 10, "Lương": 10, "Tô": 8,
                     "Nịnh": 8, "Đặng": 5},
        "middle": {"male": {"Văn": 80, "Đức": 10, "Minh": 10},
                   "female": {"Thị": 90, "Thu": 10}},
        "given": _KINH_GIVEN,
    },
    "hoa": {
        "surnames": {"Lâm": 18, "Trương": 15, "Hứa": 12, "Lý": 12, "Châu": 10, "Tăng": 8,
                     "Diệp": 8, "Lưu": 10, "Hoàng": 7},
        "middle": {"male": {"Văn": 50, "Quốc": 20, "Gia": 15, "Vĩnh": 15},
                   "female": {"Thị": 55, "Mỹ": 20, "Ngọc": 15, "Tú": 10}},
        "given": {
            "male": ("Phúc", "Tài", "Sềnh", "Lỷ", "Cường", "Minh", "Hưng", "Phát", "Vinh",
                     "Thành", "Quý", "Lộc"),
            "female": ("Mỹ", "Lan", "Phương", "Linh", "Ngọc", "Mai", "Hương", "Yến", "Kiều",
                       "Hà"),
        },
    },
}


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(tuple(table), weights=tuple(table.values()))[0]


def draw_ethnicity(rng: random.Random, profile: str) -> str:
    return _weighted(rng, PROFILES[profile])


def draw_surname(rng: random.Random, ethnicity: str) -> str:
    return _weighted(rng, NAME_POOLS[ethnicity]["surnames"])


def draw_given(rng: random.Random, ethnicity: str, sex: str, birth_year: int) -> str:
    """Middle and given name, e.g. "Văn Páo" or "Thị Nhì"; younger Kinh, Tày and Nùng people
    more often get a middle name other than Văn/Thị."""
    pool = NAME_POOLS[ethnicity]
    middle = _weighted(rng, pool["middle"][sex])
    if birth_year >= 1995 and ethnicity in ("kinh", "tay", "nung") and rng.random() < 0.4:
        middle = rng.choice(_YOUNG_MIDDLE[sex])
    old = pool.get("given_old")
    if old and birth_year < 1975 and rng.random() < 0.5:
        given = rng.choice(old[sex])
    else:
        given = rng.choice(pool["given"][sex])
    while given == middle:
        given = rng.choice(pool["given"][sex])
    return f"{middle} {given}"


def full_name(rng: random.Random, surname: str, ethnicity: str, sex: str,
              birth_year: int) -> str:
    return f"{surname} {draw_given(rng, ethnicity, sex, birth_year)}"


# ----------------------------------------------------------------------------------------------
# Household structure: who lives together, with consistent ages.
# ----------------------------------------------------------------------------------------------
@dataclass
class Member:
    relation: str      # a code of codes.RELATIONS
    sex: str           # a code of codes.SEXES
    birth_year: int
    ethnicity: str
    surname: str
    name: str = ""


MAX_MEMBERS = 8


def _children_years(rng: random.Random, parents: list[int], count: int) -> list[int]:
    """Birth years 18-40 years after every parent, not after DEMO_YEAR, oldest first."""
    low = max(parents) + 18
    high = min(min(parents) + 40, DEMO_YEAR)
    if low > high:
        return []
    return sorted(rng.randint(low, high) for _ in range(count))


def household_members(rng: random.Random, ethnicity: str, profile: str) -> list[Member]:
    """1-8 people: the head first, then spouse, children, a married son's family, parents."""
    head_age = min(88, max(20, int(rng.triangular(20, 88, 42))))
    head_sex = "male" if rng.random() < 0.82 else "female"
    head_by = DEMO_YEAR - head_age
    head_surname = draw_surname(rng, ethnicity)
    members = [Member("head", head_sex, head_by, ethnicity, head_surname)]
    if head_age >= 65 and rng.random() < 0.25:
        # An elderly person living alone or as a couple; children have moved out.
        if rng.random() < 0.5:
            members.append(_spouse(rng, members[0], profile))
        return _finish(rng, members)

    married = rng.random() < (0.6 if head_age < 25 else 0.9 if head_age < 65 else 0.7)
    parents = [head_by]
    spouse = None
    if married:
        spouse = _spouse(rng, members[0], profile)
        members.append(spouse)
        parents.append(spouse.birth_year)
    # Children take the father's family name and, as most families register, his ethnicity.
    if head_sex == "male":
        father_surname, father_eth = head_surname, ethnicity
    elif spouse is not None:
        father_surname, father_eth = spouse.surname, spouse.ethnicity
    else:
        father_surname, father_eth = draw_surname(rng, ethnicity), ethnicity

    # Children still at home: younger heads have more small children; grown children leave.
    wanted = rng.choices((0, 1, 2, 3, 4), weights=(8, 22, 42, 20, 8))[0]
    child_years = _children_years(rng, parents, wanted)
    kept_son = None
    for by in child_years:
        age = DEMO_YEAR - by
        if age >= 22 and rng.random() < 0.7:
            continue  # moved out
        sex = "male" if rng.random() < 0.51 else "female"
        child = Member("child", sex, by, father_eth, father_surname)
        members.append(child)
        if sex == "male" and age >= 22 and kept_son is None:
            kept_son = child

    # Three generations: a married son stays with his wife and children.
    if kept_son is not None and rng.random() < 0.7:
        wife_by = min(DEMO_YEAR - 18, kept_son.birth_year + rng.randint(-2, 6))
        wife_eth = kept_son.ethnicity if rng.random() < 0.8 else draw_ethnicity(rng, profile)
        members.append(Member("child_in_law", "female", wife_by, wife_eth,
                              draw_surname(rng, wife_eth)))
        for by in _children_years(rng, [kept_son.birth_year, wife_by],
                                  rng.choices((0, 1, 2, 3), weights=(15, 35, 40, 10))[0]):
            sex = "male" if rng.random() < 0.51 else "female"
            members.append(Member("grandchild", sex, by, kept_son.ethnicity, kept_son.surname))

    # Younger heads sometimes keep a widowed parent at home.
    if head_age < 55 and rng.random() < 0.18:
        parent_by = head_by - rng.randint(20, 38)
        if DEMO_YEAR - parent_by <= 95:
            sex = "female" if rng.random() < 0.7 else "male"
            surname = head_surname if sex == "male" else draw_surname(rng, ethnicity)
            members.append(Member("parent", sex, parent_by, ethnicity, surname))
    return _finish(rng, members)


def _spouse(rng: random.Random, head: Member, profile: str) -> Member:
    sex = "female" if head.sex == "male" else "male"
    gap = rng.randint(-1, 7)  # husbands a few years older
    by = head.birth_year + gap if head.sex == "male" else head.birth_year - gap
    by = min(by, DEMO_YEAR - 18)
    eth = head.ethnicity if rng.random() < 0.8 else draw_ethnicity(rng, profile)
    return Member("spouse", sex, by, eth, draw_surname(rng, eth))


def _finish(rng: random.Random, members: list[Member]) -> list[Member]:
    """Cap at MAX_MEMBERS (dropping the youngest extras) and give everyone a name."""
    if len(members) > MAX_MEMBERS:
        head, rest = members[0], members[1:]
        rest.sort(key=lambda m: m.birth_year)
        members = [head, *rest[: MAX_MEMBERS - 1]]
    for m in members:
        m.name = full_name(rng, m.surname, m.ethnicity, m.sex, m.birth_year)
    return members


# ----------------------------------------------------------------------------------------------
# Characteristics of people and households.
# ----------------------------------------------------------------------------------------------
def _yes(rng: random.Random, p: float) -> str:
    return "yes" if rng.random() < p else "no"


def place_factor(remote: bool, ethnicity: str) -> float:
    """How much lower digital rates are for this place and group (1.0 = provincial rate)."""
    factor = REMOTE_FACTOR if remote else 1.0
    if ethnicity in HIGHLAND_ETHNICITIES:
        factor *= HIGHLAND_FACTOR
    return factor


def draw_poor_status(rng: random.Random, remote: bool, ethnicity: str) -> str:
    factor = REMOTE_POVERTY_FACTOR if remote else 1.0
    if ethnicity in HIGHLAND_ETHNICITIES:
        factor *= 1.3
    r = rng.random()
    if r < RATES["poor"] * factor:
        return "poor"
    if r < (RATES["poor"] + RATES["near_poor"]) * factor:
        return "near_poor"
    return "neither"


# Mobile prefixes of the three big networks (Viettel, VinaPhone, MobiFone).
PHONE_PREFIXES = ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038",
                  "039", "091", "094", "088", "081", "082", "083", "084", "085", "090", "093",
                  "089", "070", "076", "077", "078", "079")


def draw_phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"


# Team members: one team per village with 3-6 members, plus commune staff and trainers.
TEAM_SIZE = (3, 6)
COMMUNE_STAFF = 2
TRAINERS = (1, 2)
DEMO_PIN = _demo_pin.DEMO_PIN
