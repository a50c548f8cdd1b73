"""The small kernel every app shares, at the bottom of the layers: domain errors, interval
arithmetic, bounded input fields and the API's error schema. It imports no app of ours."""
