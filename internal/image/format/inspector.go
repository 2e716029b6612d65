package format

import "io"

// Inspector adapts Inspect and Check to the image service's Inspector
// hook (image.Config.Inspector): the virtual size of data that is safe and
// in the declared format, an *UnsafeError, a *MismatchError, or an error
// wrapping ErrRead.
type Inspector struct{}

// Inspect implements image.Inspector.
func (Inspector) Inspect(r io.ReaderAt, size int64, declaredFormat string) (int64, error) {
	info, err := Inspect(r, size)
	if err != nil {
		return 0, err
	}
	if err := Check(declaredFormat, info); err != nil {
		return 0, err
	}
	return info.VirtualSize, nil
}
