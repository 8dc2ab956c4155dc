package api

import (
	"errors"
	"net/http"

	"github.com/momentum-app/momentum/backend/metric"
)

// getMetricItems answers GET /api/v1/metrics/{id}/items: one page of the
// items behind a metric's figure (a chart's bucket: from/to, and the usual
// filters), with a link to each at its source.
func (s *Server) getMetricItems(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := metric.Lookup(id); err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	q, err := metric.ParseItemsQuery(r.URL.Query().Get, s.now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := s.metrics.Items(r.Context(), id, q)
	switch {
	case errors.Is(err, metric.ErrBadQuery):
		writeError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		s.serverError(w, r, err)
	default:
		writeJSON(w, http.StatusOK, res)
	}
}
