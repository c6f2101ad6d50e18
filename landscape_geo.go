package linkwork

import "math"

// Haversine returns the great-circle distance in kilometres between two points given in
// degrees: the distance the landscape uses between a venue and a neighbourhood's centre.
// It is DistanceKm under the name of its formula.
func Haversine(lat1, lng1, lat2, lng2 float64) float64 {
	return DistanceKm(lat1, lng1, lat2, lng2)
}

// kmPerDegree is the length of one degree of latitude on the Earth of DistanceKm.
const kmPerDegree = earthRadiusKm * math.Pi / 180

// geoPoint is a point with the cosine of its latitude and its position as a unit vector
// from the Earth's centre worked out once, since every pair needs them.
type geoPoint struct {
	lat, lng, cosLat float64
	x, y, z          float64
}

func newGeoPoint(lat, lng float64) geoPoint {
	const rad = math.Pi / 180
	cosLat := math.Cos(lat * rad)
	return geoPoint{lat: lat, lng: lng, cosLat: cosLat,
		x: cosLat * math.Cos(lng*rad), y: cosLat * math.Sin(lng*rad), z: math.Sin(lat * rad)}
}

// distanceKm is DistanceKm with the cosines given: the same operations in the same order,
// so that it gives the same answer to the last bit.
func (p geoPoint) distanceKm(q geoPoint) float64 {
	const rad = math.Pi / 180
	dLat := (q.lat - p.lat) * rad
	dLng := (q.lng - p.lng) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + p.cosLat*q.cosLat*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(math.Min(1, a)))
}

// geoGrid finds the points within a distance of a place without measuring the distance to
// every point: the points are put in cells of a grid of latitude and longitude, and a
// search measures only the points in the cells that a box around the circle touches. The
// cells are held as one array of point indices with each cell's start (compressed rows).
type geoGrid struct {
	points           []geoPoint
	minLat, minLng   float64
	cellLat, cellLng float64 // degrees
	rows, cols       int
	start            []int32 // start[c]..start[c+1] index items for cell c = row*cols+col
	items            []int32
}

// newGeoGrid puts points in a grid with cells about radiusKm across, or larger when the
// points are so spread out (a stray point at 0,0) that the grid would have far more cells
// than points.
func newGeoGrid(points []geoPoint, radiusKm float64) *geoGrid {
	g := &geoGrid{points: points}
	if len(points) == 0 {
		return g
	}
	maxLat, maxLng := points[0].lat, points[0].lng
	g.minLat, g.minLng = maxLat, maxLng
	sumLat := 0.0
	for _, p := range points {
		g.minLat, maxLat = math.Min(g.minLat, p.lat), math.Max(maxLat, p.lat)
		g.minLng, maxLng = math.Min(g.minLng, p.lng), math.Max(maxLng, p.lng)
		sumLat += p.lat
	}
	g.cellLat = math.Max(radiusKm/2/kmPerDegree, 1e-6) // half the radius: the box wastes less
	g.cellLng = g.cellLat / math.Max(math.Cos(sumLat/float64(len(points))*(math.Pi/180)), 0.1)
	limit := max(4*len(points), 1024)
	for {
		g.rows = int((maxLat-g.minLat)/g.cellLat) + 1
		g.cols = int((maxLng-g.minLng)/g.cellLng) + 1
		if g.rows*g.cols <= limit {
			break
		}
		f := math.Sqrt(float64(g.rows) * float64(g.cols) / float64(limit))
		g.cellLat *= f * 1.01
		g.cellLng *= f * 1.01
	}
	cell := make([]int32, len(points))
	g.start = make([]int32, g.rows*g.cols+1)
	for i, p := range points {
		r := min(int((p.lat-g.minLat)/g.cellLat), g.rows-1)
		c := min(int((p.lng-g.minLng)/g.cellLng), g.cols-1)
		cell[i] = int32(r*g.cols + c)
		g.start[cell[i]+1]++
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	g.items = make([]int32, len(points))
	next := make([]int32, len(g.start)-1)
	copy(next, g.start)
	for i, c := range cell {
		g.items[next[c]] = int32(i)
		next[c]++
	}
	return g
}

// within calls yield with the index of every point within radiusKm of p (inclusive), in
// no particular order.
func (g *geoGrid) within(p geoPoint, radiusKm float64, yield func(int)) {
	if len(g.points) == 0 || math.IsNaN(p.lat) || math.IsNaN(p.lng) {
		return
	}
	// The box around the circle: its latitudes are exact; its longitudes are those of the
	// circle's tangent meridians, asin(sin r / cos φ), or every longitude when the circle
	// reaches a pole. A small margin keeps rounding from losing a point on the edge: the
	// box only chooses the points to measure.
	const margin = 1e-6
	dLat := radiusKm/kmPerDegree + margin
	dLng := 360.0
	if s := math.Sin(radiusKm/earthRadiusKm) / p.cosLat; math.Abs(p.lat)+dLat < 90 && s < 1 && p.cosLat > 0 {
		dLng = math.Asin(s)*(180/math.Pi) + margin
	}
	// Points are first judged by the haversine of their angle, (1 - p·q)/2, which needs no
	// trigonometry: clearly inside or outside is decided by it; only points within a
	// hair's breadth of the edge are measured as DistanceKm measures, so that the answer
	// is always DistanceKm(…) <= radiusKm.
	h := math.Sin(radiusKm / earthRadiusKm / 2)
	h *= h
	inside, outside := h*(1-1e-6)-1e-13, h*(1+1e-6)+1e-13
	r0, r1, ok := gridSpan(p.lat-dLat-g.minLat, p.lat+dLat-g.minLat, g.cellLat, g.rows)
	if !ok {
		return
	}
	c0, c1, ok := gridSpan(p.lng-dLng-g.minLng, p.lng+dLng-g.minLng, g.cellLng, g.cols)
	if !ok {
		return
	}
	for r := r0; r <= r1; r++ {
		base := r * g.cols
		for _, i := range g.items[g.start[base+c0]:g.start[base+c1+1]] {
			q := &g.points[i]
			hav := (1 - (p.x*q.x + p.y*q.y + p.z*q.z)) / 2
			if hav < inside || hav <= outside && p.distanceKm(*q) <= radiusKm {
				yield(int(i))
			}
		}
	}
}

// gridSpan turns offsets from the grid's edge into the first and last cells they touch, or
// false when they miss the grid.
func gridSpan(lo, hi, size float64, n int) (int, int, bool) {
	if hi < 0 || lo/size >= float64(n) {
		return 0, 0, false
	}
	a := max(int(math.Floor(lo/size)), 0)
	b := min(int(math.Floor(hi/size)), n-1)
	return a, b, a <= b
}
