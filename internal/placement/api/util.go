package api

import (
	"errors"
	"time"
)

type timeT = time.Time

var errBadAmount = errors.New("bad amount")
