"""The independent plan checker: a plan folder's files read back and every rule of the spec
recomputed from them, with code of its own (it imports nothing of the optimizer).

plan.py checks a whole plan folder; volume_plan.py and training_plan.py are the entries per
model, and each other module holds one family of rules or the reading they share
(docs/spec-map.md names the module of each rule).
"""
