package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/idchain/idchain/apiclient"
	"github.com/idchain/idchain/domain"
)

const importUsage = `用法 usage: idctl import [flags] FILE.csv

把 items.csv 或 events.csv 分批导入 idchain (POST /v1/items, /v1/events)。
Imports items.csv or events.csv through the API in batches of at most 1,000 rows.
断点续传 Resumable: FILE.csv.progress records the last committed row; a re-run
skips it (use -restart to start over). Rejected rows go to FILE.csv.errors.csv
(row,id,code,message; row = line number in FILE.csv). Columns: docs/import.md.

flags:
`

// importBackoff is the first retry wait (tests shorten it).
var importBackoff = 500 * time.Millisecond

// importer carries one import run.
type importer struct {
	client    *apiclient.Client
	batch     int
	stderr    io.Writer
	mapper    *rowMapper
	state     *importState
	statePath string
	errs      *errorReport
	total     int
	started   time.Time
	startRows int
}

// importClient is the API client of an import: the shared retry policy
// with retries retries from importBackoff, each retry noted on log.
func importClient(api, key string, timeout time.Duration, retries int, log io.Writer) *apiclient.Client {
	c := apiclient.New(api, key)
	c.HTTP = &http.Client{Timeout: timeout}
	c.Retry = apiclient.Retry{Attempts: retries, Backoff: importBackoff, MaxBackoff: 30 * time.Second}
	c.OnRetry = func(n int, wait time.Duration, err error) {
		fmt.Fprintf(log, "  重试 retry %d/%d in %s: %v\n", n, retries, wait, err)
	}
	return c
}

// runImport implements `idctl import` (registered in commands()).
func runImport(e *env, args []string) int {
	fs := newFlags(e, "import", "[flags] FILE.csv")
	fs.Usage = func() { fmt.Fprint(e.stderr, importUsage); fs.PrintDefaults() }
	api := fs.String("api", e.getenv("IDCHAIN_API"), "API 地址 base URL (env IDCHAIN_API)")
	key := fs.String("key", e.getenv("IDCHAIN_KEY_MAKER_OPERATOR"), "API 密钥 key (env IDCHAIN_KEY_MAKER_OPERATOR)")
	kind := fs.String("kind", "", "items 或 events (默认按表头判断 default: from the header)")
	batch := fs.Int("batch", 1000, "每批行数 rows per request (1–1000)")
	retries := fs.Int("retries", 8, "可重试错误的重试次数 retries on retryable errors (429, 5xx and network errors for items; events only when not processed, see docs/client.md)")
	timeout := fs.Duration("timeout", 2*time.Minute, "单个请求超时 per-request timeout")
	restart := fs.Bool("restart", false, "忽略进度文件, 从头开始 ignore the progress file")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	switch {
	case fs.NArg() != 1:
		return usageError(e, fs, "需要一个 CSV 文件 (one CSV file expected)")
	case *api == "" || *key == "":
		return usageError(e, fs, "缺少 -api 或 -key (set IDCHAIN_API and IDCHAIN_KEY_MAKER_OPERATOR, e.g. set -a; . network/.run/env; set +a)")
	case *batch < 1 || *batch > 1000:
		return usageError(e, fs, fmt.Sprintf("-batch 必须在 1–1000 之间 (got %d)", *batch))
	}
	path := fs.Arg(0)
	im := &importer{
		client:    importClient(*api, *key, *timeout, *retries, e.stderr),
		batch:     *batch,
		stderr:    e.stderr,
		statePath: path + ".progress",
	}
	ctx := e.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if err := im.run(ctx, path, *kind, *restart, e.stdout); err != nil {
		return fail(e, "import", err)
	}
	return exitOK
}

func (im *importer) run(ctx context.Context, path, kind string, restart bool, stdout io.Writer) error {
	header, total, err := countRecords(path)
	if err != nil {
		return err
	}
	if im.mapper, err = newRowMapper(kind, header); err != nil {
		return err
	}
	im.total = total
	if im.state, err = loadState(im.statePath, im.mapper.kind, header, restart); err != nil {
		return err
	}
	if im.errs, err = openErrorReport(path+".errors.csv", im.state.Rows == 0); err != nil {
		return err
	}
	defer im.errs.Close()
	if im.state.Rows > 0 {
		fmt.Fprintf(im.stderr, "续传 resuming: 跳过已提交的 %d 行 (skipping %d committed rows)\n", im.state.Rows, im.state.Rows)
	}
	im.started, im.startRows = time.Now(), im.state.Rows

	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	if _, err := r.Read(); err != nil { // header
		return err
	}
	var (
		entries []any
		meta    []rowRef
		pending []errorRow // local errors of the rows in the current batch
		n       int        // data rows read
	)
	flush := func() error {
		if err := im.flush(ctx, entries, meta, pending, n); err != nil {
			return err
		}
		entries, meta, pending = entries[:0], meta[:0], pending[:0]
		return nil
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		n++
		if n <= im.state.Rows {
			continue
		}
		if err != nil {
			var perr *csv.ParseError
			if !errors.As(err, &perr) {
				return err
			}
			pending = append(pending, errorRow{perr.Line, "", domain.CodeInvalid, "CSV: " + perr.Err.Error()})
		} else if line, _ := r.FieldPos(0); len(rec) != len(header) {
			pending = append(pending, errorRow{line, "", domain.CodeInvalid, fmt.Sprintf("%d 列, 表头 %d 列 (column count differs from header)", len(rec), len(header))})
		} else if id, v, err := im.mapper.entry(rec); err != nil {
			pending = append(pending, errorRow{line, id, domain.CodeInvalid, err.Error()})
		} else {
			entries = append(entries, v)
			meta = append(meta, rowRef{line, id})
		}
		if len(entries) >= im.batch || len(pending) >= im.batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	s := im.state
	fmt.Fprintf(stdout, "完成 done: %d 行 rows · 新建 created %d · 已记录 recorded %d · 未变 unchanged %d · 拒绝 rejected %d\n",
		s.Rows, s.Created, s.Recorded, s.Unchanged, s.Rejected)
	if s.Rejected > 0 {
		return fmt.Errorf("%d 行被拒绝 rows rejected; 详见 see %s", s.Rejected, im.errs.path)
	}
	return nil
}

// flush sends a batch, records its outcome, then advances the progress file
// to row n: only rows whose results are on disk count as committed.
func (im *importer) flush(ctx context.Context, entries []any, meta []rowRef, pending []errorRow, n int) error {
	if n == im.state.Rows {
		return nil
	}
	rows := pending
	if len(entries) > 0 {
		res, err := im.client.PostBatch(ctx, im.mapper.kind, entries)
		if err != nil {
			return fmt.Errorf("第 %d 行之后中断 stopped after row %d (重新运行将续传 re-run to resume): %w", im.state.Rows, im.state.Rows, err)
		}
		for i, res := range res.Results {
			switch res.Status {
			case domain.ResultCreated:
				im.state.Created++
			case domain.ResultRecorded:
				im.state.Recorded++
			case domain.ResultUnchanged:
				im.state.Unchanged++
			default:
				e := res.Error
				if e == nil {
					e = domain.Errorf(domain.CodeInternal, "status %q", res.Status)
				}
				rows = append(rows, errorRow{meta[i].line, meta[i].id, e.Code, e.Message})
			}
		}
	}
	im.state.Rejected += len(rows)
	if err := im.errs.write(rows); err != nil {
		return err
	}
	im.state.Rows = n
	if err := im.state.save(im.statePath); err != nil {
		return err
	}
	im.progress()
	return nil
}

func (im *importer) progress() {
	s := im.state
	rate := float64(s.Rows-im.startRows) / max(time.Since(im.started).Seconds(), 0.001)
	pct := 100.0
	if im.total > 0 {
		pct = 100 * float64(s.Rows) / float64(im.total)
	}
	fmt.Fprintf(im.stderr, "导入 %s: %d/%d 行 rows (%.1f%%) · 成功 ok %d · 拒绝 rejected %d · %.0f 行/秒 rows/s\n",
		im.mapper.kind, s.Rows, im.total, pct, s.Created+s.Recorded+s.Unchanged, s.Rejected, rate)
}

// countRecords returns the header and the number of data records, reading
// the file once with constant memory.
func countRecords(path string) ([]string, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, 0, fmt.Errorf("%s: 无法读取表头 cannot read the header: %w", path, err)
	}
	header = append([]string(nil), header...)
	r.ReuseRecord = true
	n := 0
	for {
		_, err := r.Read()
		if errors.Is(err, io.EOF) {
			return header, n, nil
		}
		var perr *csv.ParseError
		if err != nil && !errors.As(err, &perr) {
			return nil, 0, err
		}
		n++
	}
}
