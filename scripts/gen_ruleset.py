#!/usr/bin/env python3
"""Deterministic generator of large, valid rule files for the ruleset-size benchmark.

Usage: gen_ruleset.py N [--seed S] [-o FILE]

Writes a `.seg` file with N tier rows and N strategies over the input schema
of rulesets/retail-2025.seg, so the records of examples/customers.jsonl
evaluate with it. Every run with the same N and seed prints the same bytes
(the random numbers come from our own splitmix64, not from `random`, whose
sequences may change between Python versions).

What it holds, and why it checks clean (`segrule check`: no error, no warning):

- Tier rows come in `tiers` decisions of at most 20 rows, each on one measure
  (aum, a deposit class, loans, monthly transactions, age, tenure) with
  strictly falling thresholds and an `otherwise` row last. A row may add a
  second condition, always of the form "at least" (rating, risk level,
  transactions, a held product, a large inflow, an occupation on file), so
  each row is reached by a record whose measure lies between its threshold
  and the one above.
- Segments: the five of retail-2025 (scored), plus N/25 more in
  `customer_flags` (life stage, tenure, products held, inflows).
- The catalog: the 14 products of retail-2025 plus N/10 more, each offered by
  some strategy; products with a minimum aum are offered only by strategies
  that do not bound aum, so the suitability constraint drops something.
- Strategies: four set the scalar outputs, each for a band of rows of the
  first tiers, so no two of them fire together; the rest offer products and add actions
  when a tier row, a range of rows or a segment holds, sometimes with an "at
  least" condition on rating, risk level or a held product. Those never
  contradict a tier window or a segment, so every strategy can fire.
"""
import argparse
import sys

GROUP = 20  # rows per tiers decision at most

MASK = (1 << 64) - 1


class SplitMix:
    """splitmix64: small, well known, and the same on every Python."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def between(self, lo, hi):  # inclusive
        return lo + self.below(hi - lo + 1)

    def chance(self, percent):
        return self.below(100) < percent

    def pick(self, items):
        return items[self.below(len(items))]

    def sample(self, items, k):
        pool = list(items)
        out = []
        for _ in range(min(k, len(pool))):
            out.append(pool.pop(self.below(len(pool))))
        return out


RATINGS = ["C", "B", "BB", "BBB", "A", "AA", "AAA"]
RISKS = ["C1", "C2", "C3", "C4", "C5"]
GRADES = ["R1", "R2", "R3", "R4", "R5"]
HELD = ["time_deposit", "large_cd", "money_fund", "bond_fund", "equity_fund", "gold",
        "wealth_plan", "credit_card", "mortgage", "car_loan", "insurance", "trust_plan"]
JOBS = ["employee", "civil_servant", "business_owner", "professional", "investor",
        "finance_staff", "student", "farmer", "retired"]

# (tiers name, measure, kind, lowest threshold, highest threshold, label)
MEASURES = [
    ("aum_tier", "aum", "money", 2000, 50000000, "资产"),
    ("deposit_tier", "time_deposits", "money", 1000, 20000000, "定期存款"),
    ("wealth_tier", "wealth_products", "money", 1000, 20000000, "理财"),
    ("invest_tier", "investments", "money", 1000, 20000000, "投资"),
    ("loan_tier", "loans", "money", 5000, 10000000, "贷款"),
    ("activity_tier", "monthly_txn_count", "int", 1, 80, "活跃度"),
    ("liquidity_tier", "demand_deposits", "money", 500, 5000000, "活期"),
    ("age_band", "age", "int", 20, 85, "年龄"),
    ("tenure_tier", "tenure", "int", 1, 25, "司龄"),
]

RETAIL_PRODUCTS = [
    ("time_deposit", "定期存款", "R1", 0), ("large_cd", "大额存单", "R1", 0),
    ("money_fund", "货币基金", "R1", 0), ("treasury_bond", "国债", "R1", 0),
    ("payment_package", "商惠通转账套餐", "R1", 0), ("credit_card", "信用卡", "R1", 0),
    ("loan_combo", "存贷通", "R1", 0), ("wealth_plan", "本利丰理财", "R2", 0),
    ("bond_fund", "债券型基金", "R2", 0), ("gold", "实物贵金属", "R3", 0),
    ("custom_portfolio", "定制投资组合", "R3", 0), ("equity_fund", "股票型基金", "R4", 0),
    ("family_trust", "家族信托", "R4", 0), ("trust_plan", "信托计划", "R5", 3000000),
]
PRODUCT_KINDS = [("fund", "基金"), ("bond", "债券"), ("deposit", "存款"), ("insurance", "保险"),
                 ("annuity", "年金"), ("portfolio", "组合"), ("note", "结构性存款"), ("loan", "贷款")]

BASE_SEGMENTS = [
    ("savings", "储蓄型", "time_share >= 50%", "time_share"),
    ("wealth", "理财型", "wealth_share >= 40%", "wealth_share"),
    ("investment", "投资型", "invest_share >= 30% and risk_level >= C3", "invest_share"),
    ("settlement", "结算型", "demand_share >= 50% or monthly_txn_count >= 30", "demand_share"),
    ("liability", "负债型", "loans > 0", None),
]

ACTIONS = ["call_back", "birthday_greeting", "branch_invite", "rate_review", "portfolio_review",
           "renewal_reminder", "fee_waiver", "limit_review", "kyc_refresh", "app_onboarding"]


def amount(value):
    """A money literal as an analyst writes it: 35万, 1.5万, 800."""
    if value >= 10000 and value % 1000 == 0:
        wan = value / 10000
        return ("%d万" % wan) if value % 10000 == 0 else ("%s万" % ("%.1f" % wan))
    return str(value)


def nice(value):
    """Rounds to two significant digits (a threshold a policy would state)."""
    digits = len(str(int(value)))
    step = 10 ** max(0, digits - 2)
    return max(step, int(round(value / step)) * step)


def ladder(rng, kind, lo, hi, count):
    """`count` strictly falling thresholds from about hi down to about lo."""
    if count == 0:
        return []
    if kind == "int":
        values = sorted(rng.sample(range(lo, hi + 1), count), reverse=True)
        return values
    ratio = (hi / lo) ** (1.0 / max(1, count - 1))
    values = []
    for k in range(count):
        jitter = 1.0 + (rng.below(21) - 10) / 100.0
        v = nice(hi / (ratio ** k) * jitter)
        if values and v >= values[-1]:
            v = values[-1] - max(1, nice(values[-1] // 10) // 10)
        values.append(max(1, v))
    return values


class Generator:
    def __init__(self, n, seed):
        self.n = n
        self.rng = SplitMix(seed * 1000003 + n)
        self.tiers = []      # (name, label, measure, [(row id, label, cond)], otherwise id)
        self.flags = []      # extra segments: (id, label, cond)
        self.products = []   # (id, label, grade, min_aum)
        self.uses_tenure = False

    # ----- tiers -----

    def second_condition(self, measure):
        """An "at least" condition on something other than the measure, or None."""
        r = self.rng
        choices = [
            lambda: "credit_rating >= %s" % r.pick(RATINGS[2:]),
            lambda: "risk_level >= %s" % r.pick(RISKS[1:]),
            lambda: "monthly_txn_count >= %d" % r.between(5, 40),
            lambda: "\"%s\" in products_held" % r.pick(HELD),
            lambda: "large_inflow_30d >= %s" % amount(nice(r.between(1, 100) * 10000)),
            lambda: "occupation is not null",
        ]
        if measure == "monthly_txn_count":
            choices.pop(2)
        if r.chance(55):
            return None
        return r.pick(choices)()

    def build_tiers(self):
        sizes = []
        left = self.n
        while left > 0:
            take = min(GROUP, left)
            if left - take == 1:  # never leave a tiers of one row
                take -= 1
            sizes.append(take)
            left -= take
        for t, size in enumerate(sizes):
            base, measure, kind, lo, hi, label = MEASURES[t % len(MEASURES)]
            round_ = t // len(MEASURES)
            name = base if round_ == 0 else "%s_%d" % (base, round_ + 1)
            prefix = "%s%d" % ("".join(w[0] for w in base.split("_")), t + 1)
            if measure == "tenure":
                self.uses_tenure = True
            if kind == "money" and round_ > 0:  # later rounds: a shifted ladder
                lo = nice(lo * (1 + round_ % 3))
            thresholds = ladder(self.rng, kind, lo, hi, size - 1)
            rows = []
            for j, threshold in enumerate(thresholds):
                text = amount(threshold) if kind == "money" else str(threshold)
                cond = "%s >= %s" % (measure, text)
                extra = self.second_condition(measure)
                if extra:
                    cond += " and " + extra
                rows.append(("%s_l%02d" % (prefix, j + 1), "%s第%d档" % (label, j + 1), cond))
            tier_label = "%s分层%s" % (label, "" if round_ == 0 else str(round_ + 1))
            self.tiers.append((name, tier_label, measure, rows, "%s_base" % prefix))

    # ----- segments -----

    def build_flags(self):
        r = self.rng
        templates = [
            ("pensioner", "养老客群", lambda: "retired and age >= %d" % r.between(55, 70)),
            ("young", "青年客群", lambda: "age < %d" % r.between(26, 36)),
            ("mid_life", "中年客群", lambda: "age >= %d and age < %d" % (r.between(36, 44), r.between(50, 60))),
            ("loyal", "老客户", lambda: self.tenure(">= %d" % r.between(8, 20))),
            ("newcomer", "新客户", lambda: self.tenure("< %d" % r.between(1, 3))),
            ("holder", "持有客户", lambda: "\"%s\" in products_held" % r.pick(HELD)),
            ("multi", "多产品客户", lambda: "count(products_held) >= %d" % r.between(2, 5)),
            ("inflow", "大额流入", lambda: "large_inflow_30d >= %s" % amount(nice(r.between(5, 200) * 10000))),
            ("job", "职业客群", lambda: "(occupation ?? \"\") == \"%s\"" % r.pick(JOBS)),
            ("borrower", "房贷客户", lambda: "\"mortgage\" in products_held and loans >= %s" % amount(nice(r.between(5, 100) * 10000))),
        ]
        for i in range(self.n // 25):
            base, label, make = templates[i % len(templates)]
            self.flags.append(("%s_%02d" % (base, i + 1), "%s%d" % (label, i + 1), make()))

    def tenure(self, test):
        self.uses_tenure = True
        return "tenure %s" % test

    # ----- catalog -----

    def build_products(self):
        self.products = list(RETAIL_PRODUCTS)
        r = self.rng
        for i in range(self.n // 10):
            kind, label = PRODUCT_KINDS[i % len(PRODUCT_KINDS)]
            grade = r.pick(GRADES)
            min_aum = 0
            if grade in ("R4", "R5") and r.chance(50):
                min_aum = nice(r.between(5, 100) * 10000)
            self.products.append(("%s_%03d" % (kind, i + 1), "%s%d号" % (label, i + 1), grade, min_aum))

    # ----- strategies -----

    def strategies(self):
        """Yields the text of each strategy, N in all."""
        # Service levels by bands of the first tiers: weekly and a dedicated
        # advisor at the top, monthly, then quarterly; the rows below keep the
        # defaults. Bands, not one strategy per row: the bands never overlap,
        # and check compares every two strategies that set one output.
        first_name, _, _, first_rows, _ = self.tiers[0]
        ids = [row[0] for row in first_rows]
        cut = [0, max(1, len(ids) // 6), max(2, len(ids) // 3), max(3, len(ids) // 2), max(4, (2 * len(ids)) // 3)]
        levels = [
            ["contact_cadence = weekly", "advisor = dedicated"],
            ["contact_cadence = monthly", "advisor = dedicated"],
            ["contact_cadence = monthly", "advisor = if credit_rating >= A then dedicated else shared"],
            ["contact_cadence = quarterly", "advisor = shared"],
        ]
        out = []
        for k, body in enumerate(levels):
            band = ids[cut[k]:cut[k + 1]]
            cond = "%s == %s" % (first_name, band[0]) if len(band) == 1 else "%s in [%s]" % (first_name, ", ".join(band))
            out.append(("service_%04d" % (k + 1), "分层服务%d" % (k + 1), cond, list(body)))
        scalar_count = len(out)

        # Products in turn, so each is offered somewhere; those with a minimum
        # aum only by strategies that leave aum free (see the module doc).
        plain = [p[0] for p in self.products if p[3] == 0]
        bounded = [p[0] for p in self.products if p[3] > 0]
        next_plain = [0]
        next_bounded = [0]

        def take(pool, cursor):
            item = pool[cursor[0] % len(pool)]
            cursor[0] += 1
            return item

        segment_refs = [(s[0], "customer_type") for s in BASE_SEGMENTS] + [(f[0], "customer_flags") for f in self.flags]
        r = self.rng
        debt_used = False
        # Enough products per strategy that a small N still offers every one.
        per_strategy = max(1, -(-len(plain) // (self.n - scalar_count)))
        for i in range(scalar_count, self.n):
            number = i + 1
            kind = r.below(10)
            if i == self.n - 1 and next_bounded[0] < len(bounded):
                kind = 9  # the last one leaves aum free, for the products not yet offered
            aum_free = True
            if kind < 4:  # one tier row, maybe within a base segment
                name, _, measure, rows, other = r.pick(self.tiers)
                row = r.pick([x[0] for x in rows] + [other])
                cond = "%s == %s" % (name, row)
                if r.chance(30):
                    cond += " and %s in customer_type" % r.pick(BASE_SEGMENTS)[0]
                aum_free = measure != "aum"
                strategy = ("tier_care_%04d" % number, "分层维护%d" % number)
            elif kind < 6:  # a range of rows
                name, _, measure, rows, other = r.pick(self.tiers)
                ids = [x[0] for x in rows] + [other]
                start = r.below(len(ids) - 1)
                if r.chance(50):
                    stop = min(len(ids), start + r.between(2, 4))
                    cond = "%s in [%s]" % (name, ", ".join(ids[start:stop]))
                else:
                    cond = "%s >= %s" % (name, ids[start])
                aum_free = measure != "aum"
                strategy = ("band_care_%04d" % number, "档位维护%d" % number)
            else:  # a segment
                seg, decision = r.pick(segment_refs)
                cond = "%s in %s" % (seg, decision)
                strategy = ("cross_sell_%04d" % number, "交叉销售%d" % number)
            extra = None
            if r.chance(30):
                extra = r.pick([
                    lambda: "credit_rating >= %s" % r.pick(RATINGS[2:]),
                    lambda: "risk_level >= %s" % r.pick(RISKS[1:]),
                    lambda: "\"%s\" in products_held" % r.pick(HELD),
                ])()
                cond += " and " + extra
            body = []
            offers = [take(plain, next_plain) for _ in range(per_strategy)]
            if bounded and aum_free and (r.chance(40) or next_bounded[0] < len(bounded)):
                offers.append(take(bounded, next_bounded))
                while i == self.n - 1 and next_bounded[0] < len(bounded):
                    offers.append(take(bounded, next_bounded))
            for _ in range(r.below(3)):
                item = r.pick(plain)
                if item not in offers:
                    offers.append(item)
            body.append("offer " + ", ".join(offers))
            if r.chance(35):
                act = r.pick(ACTIONS)
                when = r.below(4)
                if when == 0 or not debt_used:
                    body.append("action \"repayment_reminder\" when debt_ratio > %s" % r.pick(["0.5", "0.8", "1.2"]))
                    debt_used = True
                elif when == 1:
                    body.append("action \"%s\" when large_inflow_30d >= %s" % (act, amount(nice(r.between(5, 100) * 10000))))
                else:
                    body.append("action \"%s\"" % act)
            out.append(strategy + (cond, body))
        # Whatever the turns missed is offered by the last segment strategies,
        # which leave aum free.
        offered = set()
        for _, _, _, body in out:
            for line in body:
                if line.startswith("offer "):
                    offered.update(x.strip() for x in line[6:].split(","))
        missing = [p[0] for p in self.products if p[0] not in offered]
        if missing:  # cannot happen with the turns above; a guard for edits
            sys.exit("gen_ruleset: products %s are offered by no strategy" % ", ".join(missing))
        if not debt_used:
            out[-1][3].append("action \"repayment_reminder\" when debt_ratio > 0.8")
        return out

    # ----- text -----

    def text(self):
        self.build_tiers()
        self.build_flags()
        self.build_products()
        strategies = self.strategies()
        lines = []
        w = lines.append
        w("# Generated by scripts/gen_ruleset.py %d: %d tier rows, %d strategies." % (self.n, self.n, self.n))
        w("ruleset scale_%d {" % self.n)
        w("  title     \"规模测试 %d\"" % self.n)
        w("  version   \"2025.05\"")
        w("  effective 2025-06-01")
        w("  owner     \"个人金融部\"")
        w("}")
        w("")
        w("enum rating [%s]" % ", ".join(RATINGS))
        w("enum risk [%s]" % ", ".join(RISKS))
        w("enum grade [%s]" % ", ".join(GRADES))
        w("")
        w("input customer key id {")
        for field in ["id : string", "age : int", "retired : bool", "occupation : string?",
                      "opened : date", "risk_level : risk", "credit_rating : rating",
                      "demand_deposits : money", "time_deposits : money", "wealth_products : money",
                      "investments : money", "loans : money", "aum : money", "monthly_txn_count : int",
                      "large_inflow_30d : money = 0", "products_held : list<string>"]:
            w("  " + field)
        w("}")
        w("")
        w("let time_share = share(time_deposits, aum)")
        w("let demand_share = share(demand_deposits, aum)")
        w("let wealth_share = share(wealth_products, aum)")
        w("let invest_share = share(investments, aum)")
        w("let debt_ratio = loans / max(aum, 1)")
        if self.uses_tenure:
            w("let tenure = years_between(opened, as_of)")
        for name, label, _, rows, other in self.tiers:
            w("")
            w("tiers %s {" % name)
            for row_id, row_label, cond in rows:
                w("  %s \"%s\" when %s" % (row_id, row_label, cond))
            w("  %s \"基础档\" otherwise" % other)
            w("}")
        w("")
        w("segments customer_type {")
        for seg, label, cond, score in BASE_SEGMENTS:
            w("  %s \"%s\" when %s%s" % (seg, label, cond, (" score " + score) if score else ""))
        w("}")
        if self.flags:
            w("")
            w("segments customer_flags {")
            for seg, label, cond in self.flags:
                w("  %s \"%s\" when %s" % (seg, label, cond))
            w("}")
        w("")
        w("catalog product {")
        w("  risk : grade")
        w("  min_aum : money = 0")
        w("")
        for pid, label, grade, min_aum in self.products:
            attrs = "risk: %s" % grade
            if min_aum:
                attrs += ", min_aum: %s" % amount(min_aum)
            w("  %s \"%s\" { %s }" % (pid, label, attrs))
        w("}")
        w("")
        w("output {")
        w("  contact_cadence : enum [yearly, quarterly, monthly, weekly] = yearly")
        w("  advisor : enum [digital, shared, dedicated] = digital")
        w("  actions : list<string>")
        w("  offers : list<product>")
        w("}")
        for name, label, cond, body in strategies:
            w("")
            w("strategy %s \"%s\" when %s {" % (name, label, cond))
            for line in body:
                w("  " + line)
            w("}")
        w("")
        w("constraint suitability \"适当性管理\" on offers as p {")
        w("  drop when rank(p.risk) > rank(risk_level) reason \"risk\"")
        w("  drop when aum < p.min_aum reason \"min_aum\"")
        w("}")
        return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="tier rows and strategies (at least 10)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", help="file to write (default: stdout)")
    args = parser.parse_args()
    if args.n < 10:
        parser.error("N must be at least 10 (the smallest ruleset that uses every output value)")
    text = Generator(args.n, args.seed).text()
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
