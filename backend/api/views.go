package api

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/momentum-app/momentum/backend/store"
)

// viewPages are the pages a saved view can restore.
var viewPages = []string{"organization", "individual"}

const (
	maxNameLen  = 80
	maxQueryLen = 4000
)

func (s *Server) viewRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/views", s.listViews)
	mux.HandleFunc("POST /api/v1/views", s.createView)
	mux.HandleFunc("GET /api/v1/views/{id}", s.getView)
	mux.HandleFunc("PUT /api/v1/views/{id}", s.updateView)
	mux.HandleFunc("DELETE /api/v1/views/{id}", s.deleteView)
}

// viewBody is a saved view as clients send it; PUT leaves out what it keeps.
type viewBody struct {
	Name  *string `json:"name"`
	Page  *string `json:"page"`
	Query *string `json:"query"`
}

// rowIDParam reads the {id} of the path; what names the thing in the message.
func rowIDParam(w http.ResponseWriter, r *http.Request, what string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, what+" ID must be a positive whole number, not "+strconv.Quote(r.PathValue("id")))
		return 0, false
	}
	return id, true
}

// cleanName trims a user-chosen name and says what is wrong with it.
func cleanName(raw, what string) (string, error) {
	name := strings.TrimSpace(raw)
	switch {
	case name == "":
		return "", errors.New(what + " name is empty: give it a name")
	case len([]rune(name)) > maxNameLen:
		return "", errors.New(what + " name is longer than " + strconv.Itoa(maxNameLen) + " characters")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", errors.New(what + " name contains a control character")
	}
	return name, nil
}

// applyViewBody checks b and copies what it sets onto v.
func applyViewBody(v *store.SavedView, b viewBody) error {
	if b.Name != nil {
		name, err := cleanName(*b.Name, "the view's")
		if err != nil {
			return err
		}
		v.Name = name
	}
	if b.Page != nil {
		v.Page = *b.Page
	}
	if !slices.Contains(viewPages, v.Page) {
		return errors.New("page: one of " + strings.Join(viewPages, ", ") + ", not " + strconv.Quote(v.Page))
	}
	if b.Query != nil {
		q := strings.TrimPrefix(strings.TrimSpace(*b.Query), "?")
		if len(q) > maxQueryLen {
			return errors.New("query: longer than " + strconv.Itoa(maxQueryLen) + " characters")
		}
		values, err := url.ParseQuery(q)
		if err != nil {
			return errors.New("query: not a URL query string (range=30d&team=2...): " + err.Error())
		}
		delete(values, "view") // a view does not point at a view
		v.Query = values.Encode()
	}
	return nil
}

// storeError answers the store's not-found and name-taken errors with 404
// and 409; anything else is ours.
func (s *Server) storeError(w http.ResponseWriter, r *http.Request, err error) {
	var unknown *store.UnknownIDsError
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, strings.TrimPrefix(err.Error(), "store: ")+": it may have been deleted")
	case errors.Is(err, store.ErrNameTaken):
		writeError(w, http.StatusConflict, strings.TrimSuffix(strings.TrimPrefix(err.Error(), "store: "), ": "+store.ErrNameTaken.Error())+": choose another name")
	case errors.As(err, &unknown):
		writeError(w, http.StatusBadRequest, unknown.Error()+": pick from GET /api/v1/people and /api/v1/repos")
	default:
		s.serverError(w, r, err)
	}
}

func (s *Server) listViews(w http.ResponseWriter, r *http.Request) {
	views, err := s.store.SavedViews(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"views": views})
}

func (s *Server) getView(w http.ResponseWriter, r *http.Request) {
	id, ok := rowIDParam(w, r, "a saved view's")
	if !ok {
		return
	}
	v, err := s.store.SavedView(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) createView(w http.ResponseWriter, r *http.Request) {
	var b viewBody
	if err := readJSON(r, &b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if b.Name == nil || b.Page == nil || b.Query == nil {
		writeError(w, http.StatusBadRequest, "a saved view needs name, page and query")
		return
	}
	var v store.SavedView
	if err := applyViewBody(&v, b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	v, err := s.store.CreateSavedView(r.Context(), v, s.now().Unix())
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/views/"+strconv.FormatInt(v.ID, 10))
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) updateView(w http.ResponseWriter, r *http.Request) {
	id, ok := rowIDParam(w, r, "a saved view's")
	if !ok {
		return
	}
	var b viewBody
	if err := readJSON(r, &b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	v, err := s.store.SavedView(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	if err := applyViewBody(&v, b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	v, err = s.store.UpdateSavedView(r.Context(), v, s.now().Unix())
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) deleteView(w http.ResponseWriter, r *http.Request) {
	id, ok := rowIDParam(w, r, "a saved view's")
	if !ok {
		return
	}
	if err := s.store.DeleteSavedView(r.Context(), id); err != nil {
		s.storeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
