import type { Migration } from '../migration'
import m001 from './001_core'
import m002 from './002_features'
import m003 from './003_alignments'
import m004 from './004_eval'
import m005 from './005_mixtures'
import m006 from './006_maps'
import m007 from './007_colour'
import m008 from './008_calibration'
import m009 from './009_layer_dims'
import m010 from './010_alignment_checksums'
import m011 from './011_job_error_arg'

/**
 * Every schema step, in order. Each capability adds its own numbered file and one line here;
 * never edit a migration that has shipped — add a new one.
 */
export const MIGRATIONS: Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011]
