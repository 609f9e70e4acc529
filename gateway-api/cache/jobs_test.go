package cache

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/idchain/idchain/internal/redistest"
)

func TestJobsGoFromPendingToDoneAndExpire(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Start(t)
	j := NewJobs(rdb, time.Second)
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if err := j.Create(ctx, Job{ID: "a1", User: "maker-operator", Status: JobPending, Items: 1, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := j.Create(ctx, Job{ID: "a1", User: "someone-else", Status: JobPending}); err == nil {
		t.Fatal("a second job with the same id was stored")
	}
	got, ok, err := j.Get(ctx, "a1")
	if err != nil || !ok || got.Status != JobPending || got.User != "maker-operator" || !got.CreatedAt.Equal(t0) {
		t.Fatalf("pending job: %+v %v %v", got, ok, err)
	}
	res := json.RawMessage(`{"results":[{"id":"88.1/A","status":"created"}],"txId":"tx1"}`)
	if err := j.Finish(ctx, "a1", 201, res, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	got, ok, err = j.Get(ctx, "a1")
	if err != nil || !ok || got.Status != JobDone || got.HTTPStatus != 201 || string(got.Result) != string(res) || got.DoneAt == nil {
		t.Fatalf("done job: %+v %v %v", got, ok, err)
	}
	if _, ok, _ := j.Get(ctx, "nope"); ok {
		t.Fatal("an unknown job was found")
	}
	if err := j.Finish(ctx, "nope", 201, res, t0); err == nil {
		t.Fatal("finishing an unknown job succeeded")
	}
	time.Sleep(1100 * time.Millisecond)
	if _, ok, _ := j.Get(ctx, "a1"); ok {
		t.Fatal("the job outlived its TTL")
	}
}
