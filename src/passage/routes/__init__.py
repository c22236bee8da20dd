"""The route engine: knowledge base, evaluator, planner and explanations.

Pure Python: imports nothing from Django or from the rest of Passage, so that other tools can
reuse it and a test can prove it. Its hot modules are also compiled with mypyc when installed;
``passage.routes._native`` makes sure a stale build never runs.
"""

# First, so that it decides whether the imports below load the compiled modules or their sources.
from passage.routes import _native  # noqa: F401
from passage.routes.batch import BatchEvaluator, evaluate_batch
from passage.routes.errors import KnowledgeError, ProfileError, RoutesError, SourceError
from passage.routes.evaluator import PathwayResult, Reachability, evaluate_all, evaluate_pathway
from passage.routes.loader import DEFAULT_KNOWLEDGE_DIR, load_knowledge
from passage.routes.model import KnowledgeBase, Pathway, Step
from passage.routes.output import pathway_json, plan_json
from passage.routes.plan import Plan, make_plan
from passage.routes.planner import Ranking, Route, find_routes
from passage.routes.profile import Profile, load_profile, profile_from_mapping

__all__ = [
    "DEFAULT_KNOWLEDGE_DIR",
    "BatchEvaluator",
    "KnowledgeBase",
    "KnowledgeError",
    "Pathway",
    "PathwayResult",
    "Plan",
    "Profile",
    "ProfileError",
    "Ranking",
    "Reachability",
    "Route",
    "RoutesError",
    "SourceError",
    "Step",
    "evaluate_all",
    "evaluate_batch",
    "evaluate_pathway",
    "find_routes",
    "load_knowledge",
    "load_profile",
    "make_plan",
    "pathway_json",
    "plan_json",
    "profile_from_mapping",
]
