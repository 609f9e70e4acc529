package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/idchain/idchain/domain"
)

// importState is the progress file next to the input (FILE.csv.progress):
// Rows data rows of the file have their outcome recorded (committed, or
// written to the error report). A re-run skips them.
type importState struct {
	Kind      string   `json:"kind"`
	Header    []string `json:"header"`
	Rows      int      `json:"rows"`
	Created   int      `json:"created"`
	Recorded  int      `json:"recorded"`
	Unchanged int      `json:"unchanged"`
	Rejected  int      `json:"rejected"`
	UpdatedAt string   `json:"updatedAt,omitempty"`
}

// loadState reads the progress file, or starts a new one when there is none
// or restart is set. A progress file written for another header or kind is
// an error: it most likely belongs to a different file.
func loadState(path, kind string, header []string, restart bool) (*importState, error) {
	fresh := &importState{Kind: kind, Header: header}
	if restart {
		return fresh, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fresh, nil
	}
	if err != nil {
		return nil, err
	}
	var st importState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("进度文件损坏 %s is damaged (%v); use -restart", path, err)
	}
	if st.Kind != kind || !slices.Equal(st.Header, header) {
		return nil, fmt.Errorf("进度文件 %s 属于另一个文件 (kind/header differ); use -restart", path)
	}
	return &st, nil
}

// save writes the state atomically (temp file + rename).
func (s *importState) save(path string) error {
	s.UpdatedAt = time.Now().UTC().Format(time.RFC3339)
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// rowRef locates a sent row: its line in the input and its id.
type rowRef struct {
	line int
	id   string
}

// errorRow is one line of the error report.
type errorRow struct {
	line    int
	id      string
	code    domain.Code
	message string
}

// errorReport is FILE.csv.errors.csv: row,id,code,message.
type errorReport struct {
	path string
	f    *os.File
	w    *csv.Writer
}

// openErrorReport truncates the report for a fresh run and appends on resume.
func openErrorReport(path string, fresh bool) (*errorReport, error) {
	flags := os.O_CREATE | os.O_WRONLY | os.O_APPEND
	if fresh {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, err
	}
	r := &errorReport{path: path, f: f, w: csv.NewWriter(f)}
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		r.w.Write([]string{"row", "id", "code", "message"})
	}
	return r, nil
}

// write appends rows and flushes them to the file.
func (r *errorReport) write(rows []errorRow) error {
	slices.SortStableFunc(rows, func(a, b errorRow) int { return a.line - b.line })
	for _, e := range rows {
		r.w.Write([]string{strconv.Itoa(e.line), e.id, string(e.code), e.message})
	}
	r.w.Flush()
	return r.w.Error()
}

func (r *errorReport) Close() error {
	r.w.Flush()
	return errors.Join(r.w.Error(), r.f.Close())
}
