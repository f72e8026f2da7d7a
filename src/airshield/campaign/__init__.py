"""Campaigns: interceptor stocks, production, deliveries, pauses and diversions over weeks and
months, each night's raid from the raid engine (detailed mode) or its surrogate (fast mode).

    from airshield.campaign import load_campaign, run_campaign
    c = load_campaign("examples/campaign-summer-2025.yaml")
    result = run_campaign(c, mode="fast", reps=1000, seed=1)
    result.summary(); result.to_frame(); result.stock_bands(); result.depletion_frame()
"""

from __future__ import annotations

from airshield.campaign.compare import Comparison, compare_campaigns
from airshield.campaign.engine import MODES, run_campaign
from airshield.campaign.io import campaign_from_text, load_campaign
from airshield.campaign.models import Campaign
from airshield.campaign.result import CampaignResult
from airshield.campaign.surrogate import DesignSpec, Surrogate, fit_surrogate
from airshield.campaign.tempo import AttackerPlan, attacker_plan

__all__ = [
    "MODES",
    "AttackerPlan",
    "Campaign",
    "CampaignResult",
    "Comparison",
    "DesignSpec",
    "Surrogate",
    "attacker_plan",
    "campaign_from_text",
    "compare_campaigns",
    "fit_surrogate",
    "load_campaign",
    "run_campaign",
]
