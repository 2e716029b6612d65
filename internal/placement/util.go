package placement

import "errors"

func asConflict(err error, target **ConflictError) bool { return errors.As(err, target) }
