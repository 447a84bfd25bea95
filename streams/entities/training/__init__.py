"""Offline side of the entity stage: training the CRFs and scoring them (``news-streams ner
train`` / ``ner eval``). Nothing at run time imports this package; it imports the run-time
modules (features, gazetteer, model) to train and tag exactly as the stage does.

- :mod:`.conll`: reading CoNLL corpora and cutting them into pseudo-documents;
- :mod:`.train`: the two CRFs (jackknifed first-stage labels for the second);
- :mod:`.evaluate`: entity-level P/R/F1 as seqeval, and throughput.
"""
