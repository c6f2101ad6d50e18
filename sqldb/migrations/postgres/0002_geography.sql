-- Postcodes from the ONS postcode lookup (NSPL or ONSPD) and LSOAs with their deprivation from
-- the English Indices of Deprivation. A postcode's IMD is not copied onto it but read through
-- its LSOA, so that importing a newer IMD reaches every postcode at once. There is no foreign
-- key from postcodes to lsoas: either file may be imported first, and a postcode outside
-- England has an LSOA (or Scottish data zone) that the English IMD does not rank.

CREATE TABLE lsoas (
	code                 TEXT PRIMARY KEY,
	name                 TEXT NOT NULL,
	local_authority_code TEXT NOT NULL,
	local_authority_name TEXT NOT NULL,
	imd_rank             INTEGER CHECK (imd_rank >= 1),
	imd_decile           INTEGER CHECK (imd_decile BETWEEN 1 AND 10)
);

-- Codes are '' when the lookup gives none; terminated_on is the first day of the month in
-- which ONS says the postcode was ended, NULL while it is in use.
CREATE TABLE postcodes (
	postcode        TEXT PRIMARY KEY,
	lat             DOUBLE PRECISION NOT NULL,
	lng             DOUBLE PRECISION NOT NULL,
	lsoa            TEXT NOT NULL,
	ward            TEXT NOT NULL,
	local_authority TEXT NOT NULL,
	terminated_on   DATE
);
-- Every postcode in an area, for reports by deprivation and for finding an area's centre.
CREATE INDEX postcodes_lsoa ON postcodes (lsoa);
