"""Training and prediction: model inputs (:mod:`.inputs`, :mod:`.tracks`), checkpoints
(:mod:`.checkpoints`), Lightning training (:mod:`.training`), batched prediction
(:mod:`.prediction`) and the device they run on (:mod:`.runtime`). Architectures are in
:mod:`hicmodels.models`."""
