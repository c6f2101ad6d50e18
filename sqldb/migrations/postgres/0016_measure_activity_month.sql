-- The last month of health service use data a place's facts were counted with, written by
-- each aggregation: a dashboard reads it here instead of finding the latest of the place's
-- activity rows (tens of millions at national size) every time it is shown.
ALTER TABLE measure_state ADD COLUMN activity_up_to TEXT NOT NULL DEFAULT '';
