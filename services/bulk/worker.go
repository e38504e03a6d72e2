package bulk

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/mongodb"
)

// PollInterval is how often the worker looks for exports when nothing woke it (exports
// submitted on another instance, leases that lapsed).
const PollInterval = 5 * time.Second

// Work runs exports, one at a time, until ctx is done. An export interrupted by ctx keeps its
// state and gives its lease up, so that the next start (here or elsewhere) runs it again at once.
func (s *Service) Work(ctx context.Context) error {
	t := time.NewTicker(PollInterval)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			ran, err := s.RunNext(ctx)
			if err != nil && ctx.Err() == nil {
				s.cfg.Logger.WarnContext(ctx, "bulk: claim", "error", err)
			}
			if !ran {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
	}
}

// RunNext claims the oldest export that is waiting or whose lease lapsed and runs it to its
// end; ran is false when there was none.
func (s *Service) RunNext(ctx context.Context) (ran bool, err error) {
	now := s.cfg.Clock.Now()
	var d exportDoc
	err = s.ops.FindOneAndUpdate(ctx,
		bson.M{fStatus: bson.M{"$in": bson.A{Created, Running}}, "$or": bson.A{
			bson.M{fLeaseUntil: bson.M{"$exists": false}}, bson.M{fLeaseUntil: nil}, bson.M{fLeaseUntil: bson.M{"$lte": now}},
		}},
		bson.M{"$set": bson.M{fStatus: Running, fLeaseUntil: now.Add(Lease), fOwner: s.owner, fStartedAt: now,
			fObjectCount: 0, fFileSize: 0}, "$inc": bson.M{fAttempts: 1}},
		options.FindOneAndUpdate().SetSort(bson.D{{Key: fCreatedAt, Value: 1}}).SetReturnDocument(options.After)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, mongodb.MapError(err, "claim bulk export")
	}
	if d.Attempts > MaxAttempts {
		s.fail(ctx, d, ErrCodeInterrupted, "the export was interrupted too many times")
		return true, nil
	}
	defer func() {
		// A bug in a resolver must not take the process down with the export.
		if p := recover(); p != nil {
			s.cfg.Logger.ErrorContext(ctx, "bulk: panic", "export", d.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			s.fail(ctx, d, ErrCodeInternal, "internal error")
		}
	}()
	s.run(ctx, d)
	return true, nil
}

// run pages through the query and writes the file. Every outcome ends in one guarded update
// (the export must still be RUNNING under this worker's lease), so that a cancellation or a
// takeover in between wins.
func (s *Service) run(ctx context.Context, d exportDoc) {
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	s.mu.Lock()
	s.running[d.ID] = stop
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, d.ID)
		s.mu.Unlock()
	}()

	f, err := os.Create(s.path(d.ID)) // truncates what an interrupted run left
	if err != nil {
		s.fail(ctx, d, ErrCodeInternal, "the export file could not be written")
		s.cfg.Logger.ErrorContext(ctx, "bulk: create file", "export", d.ID, "error", err)
		return
	}
	w := bufio.NewWriterSize(f, 256<<10)
	closeFile := func() error {
		err := w.Flush()
		if err == nil {
			err = f.Sync()
		}
		return errors.Join(err, f.Close())
	}
	qctx := auth.WithPrincipal(runCtx, d.principal())
	var count, size int64
	after := ""
	for {
		page, err := s.cfg.Query.Page(qctx, d.Query, after, s.cfg.PageSize)
		if err != nil {
			_ = closeFile()
			switch {
			case ctx.Err() != nil: // shutting down: give the lease up, run again at the next start
				s.release(d)
			case runCtx.Err() != nil: // canceled
				s.removeFile(d.ID)
			default:
				s.fail(ctx, d, ErrCodeQuery, messageOf(err))
			}
			return
		}
		for _, item := range page.Items {
			if count >= s.cfg.MaxObjects {
				_ = closeFile()
				s.fail(ctx, d, ErrCodeTooManyObjects, "the query returns more than the limit of objects for one export: narrow it (for example by date)")
				return
			}
			size += int64(len(item)) + 1
			if size > MaxFileBytes {
				_ = closeFile()
				s.fail(ctx, d, ErrCodeFileTooLarge, "the export would be larger than 1 GiB: narrow the query or select fewer fields")
				return
			}
			_, _ = w.Write(item)
			_ = w.WriteByte('\n')
			count++
		}
		if !page.HasNext || page.EndCursor == "" {
			break
		}
		after = page.EndCursor
		held, err := s.renew(ctx, d, count, size)
		if err != nil || !held {
			_ = closeFile()
			if !held && err == nil {
				s.removeIfCanceled(ctx, d.ID)
			} else if ctx.Err() != nil {
				s.release(d)
			}
			return
		}
	}
	if err := closeFile(); err != nil {
		s.fail(ctx, d, ErrCodeInternal, "the export file could not be written")
		s.cfg.Logger.ErrorContext(ctx, "bulk: write file", "export", d.ID, "error", err)
		return
	}
	now := s.cfg.Clock.Now()
	res, err := s.ops.UpdateOne(context.WithoutCancel(ctx), s.held(d), bson.M{
		"$set":   bson.M{fStatus: Completed, fCompletedAt: now, fExpiresAt: now.Add(Retention), fObjectCount: count, fFileSize: size},
		"$unset": bson.M{fLeaseUntil: "", fOwner: ""},
	})
	switch {
	case err != nil:
		s.cfg.Logger.ErrorContext(ctx, "bulk: complete", "export", d.ID, "error", err)
		return // the lease lapses and the export runs again
	case res.MatchedCount == 0:
		s.removeIfCanceled(ctx, d.ID)
		return
	}
	s.unlock(context.WithoutCancel(ctx), d.AccountID, d.ID)
	s.finished(Completed, "", count)
}

// held is the filter of an export still RUNNING under this worker's claim.
func (s *Service) held(d exportDoc) bson.M {
	return bson.M{"_id": d.ID, fStatus: Running, fOwner: s.owner, fAttempts: d.Attempts}
}

// renew extends the lease and records the progress; held is false when the export is no longer
// this worker's (canceled, or taken over after a lapse).
func (s *Service) renew(ctx context.Context, d exportDoc, count, size int64) (bool, error) {
	res, err := s.ops.UpdateOne(ctx, s.held(d), bson.M{"$set": bson.M{
		fLeaseUntil: s.cfg.Clock.Now().Add(Lease), fObjectCount: count, fFileSize: size}})
	if err != nil {
		return false, mongodb.MapError(err, "renew bulk export")
	}
	return res.MatchedCount == 1, nil
}

// release gives an interrupted export's lease up, so that the next start runs it at once.
func (s *Service) release(d exportDoc) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.ops.UpdateOne(ctx, s.held(d), bson.M{"$unset": bson.M{fLeaseUntil: "", fOwner: ""}}); err != nil {
		s.cfg.Logger.WarnContext(ctx, "bulk: release", "export", d.ID, "error", err)
	}
}

// fail ends an export as FAILED, deletes its file and frees the account's slot.
func (s *Service) fail(ctx context.Context, d exportDoc, code, message string) {
	ctx = context.WithoutCancel(ctx)
	now := s.cfg.Clock.Now()
	res, err := s.ops.UpdateOne(ctx, s.held(d), bson.M{
		"$set":   bson.M{fStatus: Failed, fErrorCode: code, fErrorMsg: message, fCompletedAt: now, fExpiresAt: now},
		"$unset": bson.M{fLeaseUntil: "", fOwner: ""},
	})
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "bulk: fail", "export", d.ID, "error", err)
		return
	}
	s.removeFile(d.ID)
	if res.MatchedCount == 1 {
		s.unlock(ctx, d.AccountID, d.ID)
		s.finished(Failed, code, 0)
	}
}

func (s *Service) removeIfCanceled(ctx context.Context, id string) {
	n, err := s.ops.CountDocuments(context.WithoutCancel(ctx), bson.M{"_id": id, fStatus: Canceled})
	if err == nil && n > 0 {
		s.removeFile(id)
	}
}

func (s *Service) removeFile(id string) {
	if err := os.Remove(s.path(id)); err != nil && !os.IsNotExist(err) {
		s.cfg.Logger.Warn("bulk: remove file", "export", id, "error", err)
	}
}

// messageOf is what the export's owner may read of a query's failure: a coded error's message,
// never an internal one.
func messageOf(err error) string {
	if e, ok := errs.As(err); ok && e.Code != errs.Internal {
		return e.Message
	}
	return "the query failed"
}
