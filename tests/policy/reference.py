#!/usr/bin/env python3
"""An independent implementation of the retail-2025 policy (shared POLICY.md),
written directly in Python with `decimal`, without the engine or its rule file.

Used to cross-check `segrule eval rulesets/retail-2025.seg`: the two must agree
on every record. Reads JSON Lines on stdin, writes one result per line.
"""
import json
import sys
from decimal import Decimal, getcontext

getcontext().prec = 60

RATING_OK = {"AAA", "AA", "A", "BBB"}
RISK_NUMBER = {"C1": 1, "C2": 2, "C3": 3, "C4": 4, "C5": 5}
PRODUCT_RISK = {
    "time_deposit": 1, "large_cd": 1, "money_fund": 1, "treasury_bond": 1, "payment_package": 1,
    "credit_card": 1, "loan_combo": 1, "wealth_plan": 2, "bond_fund": 2, "gold": 3,
    "custom_portfolio": 3, "equity_fund": 4, "family_trust": 4, "trust_plan": 5,
}
MIN_AUM = {"trust_plan": Decimal(3000000)}
TYPE_OFFERS = {
    "savings": ["time_deposit", "large_cd", "money_fund", "treasury_bond"],
    "wealth": ["wealth_plan", "money_fund", "bond_fund", "large_cd"],
    "investment": ["equity_fund", "gold", "trust_plan"],
    "settlement": ["payment_package", "money_fund"],
    "liability": ["credit_card", "loan_combo"],
}
CADENCE = {"private": "weekly", "platinum": "monthly", "gold": "monthly", "vip": "quarterly", "mass": "yearly"}
ADVISOR = {"private": "dedicated", "platinum": "dedicated", "gold": "shared", "vip": "shared", "mass": "digital"}


def share(part, whole):
    return Decimal(0) if whole == 0 else part / whole


def evaluate(c):
    aum = Decimal(c["aum"])
    time_share = share(Decimal(c["time_deposits"]), aum)
    demand_share = share(Decimal(c["demand_deposits"]), aum)
    wealth_share = share(Decimal(c["wealth_products"]), aum)
    invest_share = share(Decimal(c["investments"]), aum)
    loans = Decimal(c["loans"])
    debt_ratio = loans / max(aum, Decimal(1))
    risk = RISK_NUMBER[c["risk_level"]]

    if aum >= 5000000 and c["credit_rating"] in RATING_OK:
        tier = "private"
    elif aum >= 1000000:
        tier = "platinum"
    elif aum >= 200000:
        tier = "gold"
    elif aum >= 100000:
        tier = "vip"
    else:
        tier = "mass"

    candidates = [
        ("savings", time_share >= Decimal("0.5"), time_share),
        ("wealth", wealth_share >= Decimal("0.4"), wealth_share),
        ("investment", invest_share >= Decimal("0.3") and risk >= 3, invest_share),
        ("settlement", demand_share >= Decimal("0.5") or c["monthly_txn_count"] >= 30, demand_share),
        ("liability", loans > 0, Decimal(0)),
    ]
    types = [name for name, hit, _ in candidates if hit]
    primary, best = None, None
    for name, hit, score in candidates:
        if hit and (best is None or score > best):
            primary, best = name, score

    actions = []
    if "settlement" in types and Decimal(c.get("large_inflow_30d") or 0) >= 500000:
        actions.append("large_inflow_alert")
    if "liability" in types and debt_ratio > Decimal("0.8"):
        actions.append("repayment_reminder")

    offers = []
    def add(items):
        for item in items:
            if item not in offers:
                offers.append(item)
    if tier == "private":
        add(["family_trust", "custom_portfolio"])
    for t in types:
        add(TYPE_OFFERS[t])

    kept, dropped = [], []
    for item in offers:
        if PRODUCT_RISK[item] > risk:
            dropped.append({"list": "offers", "item": item, "constraint": "suitability", "reason": "risk"})
        elif aum < MIN_AUM.get(item, Decimal(0)):
            dropped.append({"list": "offers", "item": item, "constraint": "suitability", "reason": "min_aum"})
        else:
            kept.append(item)

    return {"id": c["id"], "value_tier": tier, "customer_type": types, "customer_type_primary": primary,
            "contact_cadence": CADENCE[tier], "advisor": ADVISOR[tier], "actions": actions,
            "offers": kept, "dropped": dropped}


def main():
    for line in sys.stdin:
        if line.strip():
            record = json.loads(line, parse_float=Decimal, parse_int=Decimal)
            record["monthly_txn_count"] = int(record["monthly_txn_count"])
            print(json.dumps(evaluate(record), ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
