package bitbucket

import (
	"encoding/json"
	"testing"
)

// States as Bitbucket sends them: completed ones as recorded
// (atlassian-python-api's pipelines and steps responses), a pipeline
// waiting at a manual step as IN_PROGRESS with stage PAUSED (the shape of
// shields.io's regression test for badges/shields#10137), the other names
// from the REST reference's pipeline_state_* and pipeline_step_state_*
// schemas.
func TestRunStatus(t *testing.T) {
	for _, c := range []struct{ state, want string }{
		{`{"name":"PENDING","type":"pipeline_state_pending","stage":{"name":"PENDING","type":"pipeline_state_pending_pending"}}`, "running"},
		{`{"name":"IN_PROGRESS","type":"pipeline_state_in_progress","stage":{"name":"RUNNING","type":"pipeline_state_in_progress_running"}}`, "running"},
		{`{"name":"IN_PROGRESS","type":"pipeline_state_in_progress","stage":{"name":"PAUSED","type":"pipeline_state_in_progress_paused"}}`, "manual"},
		{`{"name":"IN_PROGRESS","type":"pipeline_state_in_progress","stage":{"name":"HALTED","type":"pipeline_state_in_progress_halted"}}`, "manual"},
		{`{"name":"PENDING","type":"pipeline_step_state_pending","stage":{"name":"PAUSED","type":"pipeline_step_state_pending_paused"}}`, "manual"},
		{`{"name":"READY","type":"pipeline_step_state_ready"}`, "running"},
		{`{"name":"COMPLETED","type":"pipeline_state_completed","result":{"name":"SUCCESSFUL","type":"pipeline_state_completed_successful"}}`, "success"},
		{`{"name":"COMPLETED","type":"pipeline_state_completed","result":{"name":"FAILED","type":"pipeline_state_completed_failed"}}`, "failure"},
		{`{"name":"COMPLETED","type":"pipeline_state_completed","result":{"name":"ERROR","type":"pipeline_state_completed_error"}}`, "failure"},
		{`{"name":"COMPLETED","type":"pipeline_state_completed","result":{"name":"STOPPED","type":"pipeline_state_completed_stopped"}}`, "cancelled"},
		{`{"name":"COMPLETED","type":"pipeline_state_completed","result":{"name":"EXPIRED","type":"pipeline_state_completed_expired"}}`, "cancelled"},
		{`{"type":"pipeline_step_state_completed","name":"COMPLETED","result":{"type":"pipeline_step_state_completed_not_run","name":"NOT_RUN"}}`, "skipped"},
	} {
		var s state
		if err := json.Unmarshal([]byte(c.state), &s); err != nil {
			t.Fatal(err)
		}
		if got := runStatus(s); got != c.want {
			t.Errorf("%s: got %s, want %s", c.state, got, c.want)
		}
	}
}
