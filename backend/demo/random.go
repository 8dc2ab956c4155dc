package demo

import (
	"encoding/hex"
	"math"
	"math/rand/v2"
	"sort"
)

// rnd is a seeded source with the distributions the generator draws from.
// Each part of the data set has its own stream, so that changing how one
// part is made does not reshuffle the others.
type rnd struct{ *rand.Rand }

func newRand(seed int64, stream uint64) rnd {
	return rnd{rand.New(rand.NewPCG(uint64(seed), stream*0x9e3779b97f4a7c15+0x6d6f6d656e74756d))}
}

func (r rnd) chance(p float64) bool { return r.Float64() < p }

// logNormal draws a long-tailed positive value with the given median.
func (r rnd) logNormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

// secs is logNormal in whole seconds, at least 1.
func (r rnd) secs(median, sigma float64) int64 {
	return max(1, int64(r.logNormal(median, sigma)))
}

// poisson draws a count with mean l.
func (r rnd) poisson(l float64) int {
	if l <= 0 {
		return 0
	}
	if l > 30 {
		return max(0, int(math.Round(l+math.Sqrt(l)*r.NormFloat64())))
	}
	limit, p, k := math.Exp(-l), 1.0, 0
	for {
		p *= r.Float64()
		if p <= limit {
			return k
		}
		k++
	}
}

// geometric draws a count of failures before a success, with mean m.
func (r rnd) geometric(m float64) int {
	if m <= 0 {
		return 0
	}
	p := 1 / (1 + m)
	return int(math.Log(1-r.Float64()) / math.Log(1-p))
}

func (r rnd) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// sha is a random 40-hex-digit object name.
func (r rnd) sha() string {
	var b [20]byte
	for i := 0; i < 20; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < 20; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return hex.EncodeToString(b[:])
}

func pick[T any](r rnd, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted picks indexes in proportion to their weights.
type weighted struct{ cum []float64 }

func newWeighted(ws []float64) weighted {
	cum := make([]float64, len(ws))
	var s float64
	for i, w := range ws {
		s += w
		cum[i] = s
	}
	return weighted{cum}
}

func (w weighted) pick(r rnd) int {
	x := r.Float64() * w.cum[len(w.cum)-1]
	return min(sort.SearchFloat64s(w.cum, x), len(w.cum)-1)
}

// zipf returns n weights falling off as 1/k^s: a few heavy, a long tail.
func zipf(n int, s float64) []float64 {
	ws := make([]float64, n)
	for i := range ws {
		ws[i] = 1 / math.Pow(float64(i+1), s)
	}
	return ws
}

// Kinds of item streams.
const (
	streamPR uint64 = iota + 1
	streamDirect
	streamBot
	streamRelease
	streamNightly
	streamStaging
	streamProduction
	streamSprint
	streamTicket
	streamIssues
	streamSnapshots
)

// itemRand is the stream of one item: a pull request, a nightly run, a
// ticket ... keyed by what it is, not by how many items came before it.
func (g *gen) itemRand(kind uint64, owner, seq, i int) rnd {
	return newRand(g.seed, 1<<63|kind<<56|uint64(owner)<<40|uint64(seq)<<16|uint64(i))
}
