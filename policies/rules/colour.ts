/** Which colour a resource belongs to, read from its name the way the apps name them (`<app>-<colour>...`). */
import { COLOURS, type Colour } from "../../config/primitives";

/** The colour named by a separate segment of a resource name (`nmpi-blue-asg` -> blue), if any. */
export function colourOf(name: string): Colour | undefined {
  const segments = name.toLowerCase().split(/[-_.:/]/);
  return COLOURS.find((c) => segments.includes(c));
}
